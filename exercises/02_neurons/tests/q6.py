from otter.test_files import test_case

OK_FORMAT = False

name = "q6"
points = 4

@test_case(points=None, hidden=False)
def test_q6_curves(curves, LEARNING_RATES, STEPS):
    from kerascourse.checks import neurons as neuron_checks
    neuron_checks.require_curves(curves, LEARNING_RATES, STEPS)

@test_case(points=None, hidden=False)
def test_q6_verdict_format(verdicts, LEARNING_RATES):
    from kerascourse.checks import neurons as neuron_checks
    neuron_checks.require_verdict_format(verdicts, LEARNING_RATES)

