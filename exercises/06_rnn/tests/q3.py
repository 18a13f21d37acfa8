from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = 4

@test_case(points=None, hidden=False)
def test_q3_model(forecaster):
    from kerascourse.checks import rnn as rnn_checks
    rnn_checks.require_forecaster(forecaster, 12)

@test_case(points=None, hidden=False)
def test_q3_numbers(naive_mae, lstm_mae):
    from kerascourse import checks
    from kerascourse.checks import rnn as rnn_checks
    naive = checks.require_number(naive_mae, 'naive_mae', "the naive forecast's test MAE in sunspots")
    lstm = checks.require_number(lstm_mae, 'lstm_mae', "the forecaster's test MAE in sunspots")
    rnn_checks.require_beats_naive(lstm, naive)

