from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = 4

@test_case(points=None, hidden=False)
def test_q2_penalties(regularized_model):
    from kerascourse.checks import regularization as regularization_checks
    regularization_checks.require_weight_penalties(regularized_model, 'regularized_model', low=0.0001, high=0.01)

@test_case(points=None, hidden=False)
def test_q2_dropout(regularized_model):
    from kerascourse.checks import regularization as regularization_checks
    regularization_checks.require_dropout(regularized_model, 'regularized_model', low=0.4, high=0.5)

