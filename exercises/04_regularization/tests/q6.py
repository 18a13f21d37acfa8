from otter.test_files import test_case

OK_FORMAT = False

name = "q6"
points = 4

@test_case(points=None, hidden=False)
def test_q6_search(search_results, best_rate):
    from kerascourse.checks import regularization as regularization_checks
    regularization_checks.require_search(search_results, best_rate)

@test_case(points=None, hidden=False)
def test_q6_final_model(final_model, final_test_accuracy):
    from kerascourse import checks
    checks.require_model(final_model, 'final_model')
    checks.require_defined(final_test_accuracy, 'final_test_accuracy')
    if not isinstance(final_test_accuracy, (int, float)) or not 0 <= final_test_accuracy <= 1:
        checks.fail(f'final_test_accuracy is {final_test_accuracy!r}; store the accuracy from final_model.evaluate(x_test, y_test)')

