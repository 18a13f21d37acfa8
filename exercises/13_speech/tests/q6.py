from otter.test_files import test_case

OK_FORMAT = False

name = "q6"
points = 4

@test_case(points=None, hidden=False)
def test_q6_ctc(greedy_ctc):
    from kerascourse.checks import speech as speech_checks
    speech_checks.require_ctc(greedy_ctc)

