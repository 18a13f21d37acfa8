from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = 5

@test_case(points=None, hidden=False)
def test_q2_relu_sigmoid(relu, sigmoid):
    from kerascourse import neuron_checks
    neuron_checks.require_activation(relu, 'relu')
    neuron_checks.require_activation(sigmoid, 'sigmoid')

@test_case(points=None, hidden=False)
def test_q2_tanh(tanh):
    from kerascourse import neuron_checks
    neuron_checks.require_activation(tanh, 'tanh')

