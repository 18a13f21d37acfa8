from otter.test_files import test_case

OK_FORMAT = False

name = "q6"
points = 4

@test_case(points=None, hidden=False)
def test_q6_model(color_cnn):
    from kerascourse import checks
    from kerascourse.checks import cnn as cnn_checks
    checks.require_input_shape(color_cnn, (32, 32, 3), 'color_cnn')
    checks.require_output_shape(color_cnn, (10,), 'color_cnn')
    checks.require_output_activation(color_cnn, 'multiclass', 'color_cnn')
    cnn_checks.require_conv_stack(color_cnn, 'color_cnn')

@test_case(points=None, hidden=False)
def test_q6_history(color_history, COLOR_EPOCHS):
    from kerascourse import checks
    checks.require_history(color_history, 'color_history', COLOR_EPOCHS, 'color_val_ds')

