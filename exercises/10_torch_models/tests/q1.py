from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = 5

@test_case(points=None, hidden=False)
def test_q1_mlp(mlp):
    from kerascourse.checks import torch_models
    torch_models.require_mlp(mlp)

@test_case(points=None, hidden=False)
def test_q1_count_and_loss(n_params, mlp, loss_fn):
    from kerascourse.checks import torch_models
    torch_models.require_n_params(n_params, mlp)
    torch_models.require_loss_fn(loss_fn)

