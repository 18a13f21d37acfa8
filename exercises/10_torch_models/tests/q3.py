from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = 4

@test_case(points=None, hidden=False)
def test_q3_mlp_trained(mlp_accuracy, mlp):
    from kerascourse.checks import torch_models
    torch_models.require_accuracy(mlp_accuracy, mlp, 'mlp', 'mlp_accuracy', minimum={'grading': 0.88, 'full': 0.98})

