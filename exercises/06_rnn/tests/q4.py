from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = 4

@test_case(points=None, hidden=False)
def test_q4_model(text_model):
    from kerascourse.checks import rnn as rnn_checks
    rnn_checks.require_text_classifier(text_model)

@test_case(points=None, hidden=False)
def test_q4_history(text_history, TEXT_EPOCHS):
    from kerascourse import checks
    checks.require_history(text_history, 'text_history', TEXT_EPOCHS, 'val_text')

