from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = 5

@test_case(points=None, hidden=False)
def test_q3_by_hand(by_hand, flat, W, b):
    import numpy as np
    from kerascourse.checks import tensors as tensor_checks
    tensor_checks.require_dense_by_hand(by_hand, np.asarray(flat), W, b)

@test_case(points=None, hidden=False)
def test_q3_count_is_a_number(n_params):
    from kerascourse import checks
    checks.require_number(n_params, 'n_params', 'W.shape[0] * W.shape[1] + b.shape[0]')

