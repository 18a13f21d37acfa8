from otter.test_files import test_case

OK_FORMAT = False

name = "q5"
points = 4

@test_case(points=None, hidden=False)
def test_q5_budget(mlp, cnn):
    from kerascourse.checks import cnn as cnn_checks
    cnn_checks.require_similar_budget(mlp, cnn, tolerance=0.2)

@test_case(points=None, hidden=False)
def test_q5_winner_named(winner):
    from kerascourse import checks
    checks.require_defined(winner, 'winner')
    if winner not in ('cnn', 'mlp'):
        checks.fail(f"winner is {winner!r}; set it to 'cnn' or 'mlp'")

