from otter.test_files import test_case

OK_FORMAT = False

name = "q5"
points = 6

@test_case(points=None, hidden=False)
def test_q5_history(history, EPOCHS):
    from kerascourse import checks
    checks.require_history(history, 'history', EPOCHS, 'val_ds')

@test_case(points=None, hidden=False)
def test_q5_accuracy(test_accuracy):
    from kerascourse import checks
    checks.require_defined(test_accuracy, 'test_accuracy')
    if not isinstance(test_accuracy, (int, float)) or not 0 <= test_accuracy <= 1:
        checks.fail(f'test_accuracy is {test_accuracy!r}; store the accuracy from mlp.evaluate(test_ds), a number in [0, 1]')
    checks.require_at_least(test_accuracy, 'test_accuracy', minimum=0.9, fix='check the model, the loss and the learning rate')

