from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = 4

@test_case(points=None, hidden=False)
def test_q1_input(mlp):
    from kerascourse import checks
    checks.require_model(mlp, 'mlp')
    checks.require_input_shape(mlp, (28, 28, 1), 'mlp')

@test_case(points=None, hidden=False)
def test_q1_output(mlp):
    from kerascourse import checks
    checks.require_output_shape(mlp, (10,), 'mlp')
    checks.require_output_activation(mlp, 'multiclass', 'mlp')

