from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = 5

@test_case(points=None, hidden=False)
def test_q3_majority(majority_accuracy, train_labels):
    from kerascourse.checks import speech as speech_checks
    speech_checks.require_majority(majority_accuracy, train_labels)

@test_case(points=None, hidden=False)
def test_q3_confusion(confusion, cnn):
    from kerascourse.checks import speech as speech_checks
    speech_checks.require_confusion(confusion, cnn)

