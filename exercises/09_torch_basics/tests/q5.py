from otter.test_files import test_case

OK_FORMAT = False

name = "q5"
points = 5

@test_case(points=None, hidden=False)
def test_q5_loss(loss_fn):
    from kerascourse.checks import torch_basics
    torch_basics.require_loss_fn(loss_fn)

@test_case(points=None, hidden=False)
def test_q5_learns_xor(xor_model, loss_fn):
    from kerascourse.checks import torch_basics
    torch_basics.require_xor_model(xor_model, loss_fn, min_accuracy=1.0)

