from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = 5

@test_case(points=None, hidden=False)
def test_q4_flat_features(cnn, flat_features):
    from kerascourse.checks import torch_models
    torch_models.require_cnn(cnn, flat_features)

