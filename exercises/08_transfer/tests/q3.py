from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = 5

@test_case(points=None, hidden=False)
def test_q3_unfrozen(transfer_model, TOP_BLOCK):
    from kerascourse.checks import transfer as transfer_checks
    base = transfer_checks.base_of(transfer_model, 'transfer_model')
    transfer_checks.require_top_block_unfrozen(base, TOP_BLOCK)

@test_case(points=None, hidden=False)
def test_q3_learning_rate(transfer_model, LEARNING_RATE):
    from kerascourse.checks import transfer as transfer_checks
    transfer_checks.require_gentle_learning_rate(transfer_model, LEARNING_RATE, min_ratio=10)

@test_case(points=None, hidden=False)
def test_q3_history(fine_history, FINE_EPOCHS):
    from kerascourse.checks import transfer as transfer_checks
    transfer_checks.require_trained(fine_history, FINE_EPOCHS, 'fine_history', 'FINE_EPOCHS')

