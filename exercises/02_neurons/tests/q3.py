from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = 5

@test_case(points=None, hidden=False)
def test_q3_forward(hidden, y_hat, W1, b1, W2, b2):
    from kerascourse.checks import neurons as neuron_checks
    neuron_checks.require_forward(hidden, y_hat, (W1, b1, W2, b2))

@test_case(points=None, hidden=False)
def test_q3_bce(bce, y_hat):
    from kerascourse.checks import neurons as neuron_checks
    neuron_checks.require_bce(bce, y_hat)

