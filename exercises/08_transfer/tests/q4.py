from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = 4

@test_case(points=None, hidden=False)
def test_q4_history(scratch_history, EPOCHS, FINE_EPOCHS):
    from kerascourse.checks import transfer as transfer_checks
    transfer_checks.require_trained(scratch_history, EPOCHS + FINE_EPOCHS, 'scratch_history', 'EPOCHS + FINE_EPOCHS')

@test_case(points=None, hidden=False)
def test_q4_gain(transfer_gain, fine_acc, scratch_acc):
    from kerascourse import checks
    gain = checks.require_number(transfer_gain, 'transfer_gain', 'fine_acc - scratch_acc')
    fine = checks.require_number(fine_acc, 'fine_acc', 'transfer_model.evaluate(val_ds)[1]')
    scratch = checks.require_number(scratch_acc, 'scratch_acc', 'scratch_model.evaluate(val_ds)[1]')
    if abs(gain - (fine - scratch)) > 1e-06:
        checks.fail(f'transfer_gain is {gain:.3f}, but fine_acc - scratch_acc is {fine - scratch:.3f}; subtract in that order')

