from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = 6

@test_case(points=None, hidden=False)
def test_q4_compiled(make_train_step):
    from kerascourse import checks
    checks.require_train_step_compiled(make_train_step, 'make_train_step')

@test_case(points=None, hidden=False)
def test_q4_gradient_descent(make_train_step):
    from kerascourse import checks
    checks.require_train_step_matches_reference(make_train_step, 'make_train_step', steps=1)

