from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = 5

@test_case(points=None, hidden=False)
def test_q2_model(transfer_model, NUM_CLASSES):
    from kerascourse.checks import transfer as transfer_checks
    transfer_checks.require_transfer_model(transfer_model, NUM_CLASSES)

@test_case(points=None, hidden=False)
def test_q2_history(feature_history, EPOCHS):
    from kerascourse.checks import transfer as transfer_checks
    transfer_checks.require_trained(feature_history, EPOCHS, 'feature_history', 'EPOCHS')

