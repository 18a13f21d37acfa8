from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = 4

@test_case(points=None, hidden=False)
def test_q1_trained(big_model, big_history, EPOCHS):
    from kerascourse import checks
    checks.require_model(big_model, 'big_model')
    checks.require_history(big_history, 'big_history', EPOCHS, '(x_val, y_val)')

@test_case(points=None, hidden=False)
def test_q1_best_epoch(big_history, best_epoch):
    from kerascourse.checks import regularization as regularization_checks
    regularization_checks.require_best_epoch(big_history, best_epoch)

