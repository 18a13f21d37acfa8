from otter.test_files import test_case

OK_FORMAT = False

name = "q5"
points = 4

@test_case(points=None, hidden=False)
def test_q5_mix_noise(mix_noise):
    from kerascourse.checks import speech as speech_checks
    speech_checks.require_mix_noise(mix_noise)

