from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = 4

@test_case(points=None, hidden=False)
def test_q1_first_shapes(shapes):
    from kerascourse.checks import cnn as cnn_checks
    cnn_checks.require_hand_shapes(shapes, ['conv1', 'pool1'])

@test_case(points=None, hidden=False)
def test_q1_first_params(params):
    from kerascourse.checks import cnn as cnn_checks
    cnn_checks.require_hand_params(params, ['conv1'])

