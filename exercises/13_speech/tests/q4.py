from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = 4

@test_case(points=None, hidden=False)
def test_q4_reads_frames(rnn):
    from kerascourse.checks import speech as speech_checks
    speech_checks.require_reads_frames(rnn)

