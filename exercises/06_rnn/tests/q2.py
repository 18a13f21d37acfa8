from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = 3

@test_case(points=None, hidden=False)
def test_q2_training_windows(x_train, y_train, train_series, mean, std):
    from kerascourse.checks import rnn as rnn_checks
    rnn_checks.require_windows(x_train, y_train, train_series, mean, std, 12, ('x_train', 'y_train'))

