from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = 4

@test_case(points=None, hidden=False)
def test_q4_derivative(dy_dw, dy_dw_by_hand):
    from kerascourse.checks import torch_basics
    torch_basics.require_dy_dw(dy_dw)
    torch_basics.require_by_hand(dy_dw_by_hand)

@test_case(points=None, hidden=False)
def test_q4_accumulated(grad_once, grad_twice):
    from kerascourse.checks import torch_basics
    torch_basics.require_accumulated(grad_once, grad_twice)

