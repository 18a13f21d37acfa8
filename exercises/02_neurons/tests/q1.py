from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = 4

@test_case(points=None, hidden=False)
def test_q1_shapes(perceptron_w, perceptron_b, errors, PERCEPTRON_EPOCHS):
    from kerascourse.checks import neurons as neuron_checks
    neuron_checks.require_perceptron_shapes(perceptron_w, perceptron_b, errors, PERCEPTRON_EPOCHS)

@test_case(points=None, hidden=False)
def test_q1_learned_and(perceptron_w, perceptron_b, errors):
    from kerascourse.checks import neurons as neuron_checks
    neuron_checks.require_separates_and(perceptron_w, perceptron_b, errors)

