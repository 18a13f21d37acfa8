from otter.test_files import test_case

OK_FORMAT = False

name = "q5"
points = 4

@test_case(points=None, hidden=False)
def test_q5_precision_recall(precision, recall):
    from kerascourse.checks import regularization as regularization_checks
    from kerascourse.course import data
    regularization_checks.require_precision_recall(precision, recall, *data.fixed_predictions())

@test_case(points=None, hidden=False)
def test_q5_f1(f1):
    from kerascourse.checks import regularization as regularization_checks
    from kerascourse.course import data
    regularization_checks.require_f1(f1, *data.fixed_predictions())

