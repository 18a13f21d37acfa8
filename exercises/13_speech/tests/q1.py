from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = 3

@test_case(points=None, hidden=False)
def test_q1_one_second(to_one_second):
    from kerascourse.checks import speech as speech_checks
    speech_checks.require_one_second(to_one_second)

