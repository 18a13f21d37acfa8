from otter.test_files import test_case

OK_FORMAT = False

name = "q5"
points = 4

@test_case(points=None, hidden=False)
def test_q5_tape(w, dy_dw):
    from kerascourse.checks import tensors as tensor_checks
    tensor_checks.require_tape_gradient(w, dy_dw)

@test_case(points=None, hidden=False)
def test_q5_by_hand(dy_dw_by_hand):
    from kerascourse.checks import tensors as tensor_checks
    tensor_checks.require_derivative_by_hand(dy_dw_by_hand)

