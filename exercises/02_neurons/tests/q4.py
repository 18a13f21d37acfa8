from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = 5

@test_case(points=None, hidden=False)
def test_q4_by_hand(grads_by_hand, W1, b1, W2, b2):
    from kerascourse.checks import neurons as neuron_checks
    neuron_checks.require_gradients(grads_by_hand, 'grads_by_hand', (W1, b1, W2, b2))

