from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = 6

@test_case(points=None, hidden=False)
def test_q4_history(cnn_history, EPOCHS):
    from kerascourse import checks
    checks.require_history(cnn_history, 'cnn_history', EPOCHS, 'val_ds')

@test_case(points=None, hidden=False)
def test_q4_accuracy(cnn_test_accuracy):
    from kerascourse import checks
    checks.require_defined(cnn_test_accuracy, 'cnn_test_accuracy')
    if not isinstance(cnn_test_accuracy, (int, float)) or not 0 <= cnn_test_accuracy <= 1:
        checks.fail(f'cnn_test_accuracy is {cnn_test_accuracy!r}; store the accuracy from augmented_cnn.evaluate(test_ds)')
    checks.require_at_least(cnn_test_accuracy, 'cnn_test_accuracy', minimum=0.8, fix='check the model, the loss and the epochs (a Flatten head learns faster than global pooling)')

