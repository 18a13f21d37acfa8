from otter.test_files import test_case

OK_FORMAT = False

name = "q5"
points = 4

@test_case(points=None, hidden=False)
def test_q5_linear(linear_model):
    from kerascourse.checks import neurons as neuron_checks
    neuron_checks.require_single_layer(linear_model)

@test_case(points=None, hidden=False)
def test_q5_hidden_layer(xor_model):
    from kerascourse.checks import neurons as neuron_checks
    neuron_checks.require_hidden_layer(xor_model)

