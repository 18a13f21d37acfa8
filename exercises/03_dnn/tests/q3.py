from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = 4

@test_case(points=None, hidden=False)
def test_q3_loss(mlp):
    from kerascourse import checks
    checks.require_compiled(mlp, 'mlp')
    checks.require_loss(mlp.loss, 'multiclass', checks.output_kind(mlp), name="mlp's loss")

