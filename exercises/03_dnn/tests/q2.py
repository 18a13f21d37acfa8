from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = 6

@test_case(points=None, hidden=False)
def test_q2_binary(binary_head, binary_loss):
    from kerascourse import checks
    checks.require_head(binary_head, binary_loss, 'binary', 1, 'binary_head')

@test_case(points=None, hidden=False)
def test_q2_multiclass(multiclass_head, multiclass_loss):
    from kerascourse import checks
    checks.require_head(multiclass_head, multiclass_loss, 'multiclass', 10, 'multiclass_head')

