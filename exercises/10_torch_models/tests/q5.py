from otter.test_files import test_case

OK_FORMAT = False

name = "q5"
points = 5

@test_case(points=None, hidden=False)
def test_q5_keras_mlp(keras_mlp, keras_backend):
    from kerascourse import checks
    from kerascourse.checks import torch_models
    torch_models.require_backend(keras_backend)
    checks.require_hidden_nonlinearity(keras_mlp, 'keras_mlp')
    checks.require_output_activation(keras_mlp, 'multiclass', 'keras_mlp')
    model = checks.require_model(keras_mlp, 'keras_mlp')
    checks.require_loss(model.loss, 'multiclass', checks.output_kind(model), "keras_mlp's loss")

