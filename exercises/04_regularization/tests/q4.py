from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = 4

@test_case(points=None, hidden=False)
def test_q4_stopped_early(es_history, MAX_EPOCHS):
    from kerascourse.checks import regularization as regularization_checks
    regularization_checks.require_stopped_early(es_history, MAX_EPOCHS, 'es_history')

@test_case(points=None, hidden=False)
def test_q4_compiled(es_model):
    from kerascourse import checks
    checks.require_compiled(es_model, 'es_model')
    checks.require_output_activation(es_model, 'multiclass', 'es_model')

