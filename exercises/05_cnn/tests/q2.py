from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = 4

@test_case(points=None, hidden=False)
def test_q2_input_output(cnn):
    from kerascourse import checks
    checks.require_input_shape(cnn, (28, 28, 1), 'cnn')
    checks.require_output_shape(cnn, (10,), 'cnn')
    checks.require_output_activation(cnn, 'multiclass', 'cnn')

@test_case(points=None, hidden=False)
def test_q2_convolutions(cnn):
    from kerascourse.checks import cnn as cnn_checks
    cnn_checks.require_conv_stack(cnn, 'cnn')

