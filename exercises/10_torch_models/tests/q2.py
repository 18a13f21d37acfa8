from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = 5

@test_case(points=None, hidden=False)
def test_q2_train_epoch(train_epoch):
    from kerascourse.checks import torch_models
    torch_models.require_train_epoch(train_epoch)

@test_case(points=None, hidden=False)
def test_q2_evaluate(evaluate):
    from kerascourse.checks import torch_models
    torch_models.require_evaluate(evaluate)

