from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = 4

@test_case(points=None, hidden=False)
def test_q3_batchnorm_model(bn_model):
    from kerascourse import checks
    from kerascourse.checks import regularization as regularization_checks
    regularization_checks.require_batchnorm(bn_model, 'bn_model')
    checks.require_output_activation(bn_model, 'multiclass', 'bn_model')

@test_case(points=None, hidden=False)
def test_q3_batchnorm_modes(bn_training, bn_inference, x_probe):
    from kerascourse.checks import regularization as regularization_checks
    regularization_checks.require_batchnorm_modes(bn_training, bn_inference, x_probe)

