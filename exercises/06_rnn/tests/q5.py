from otter.test_files import test_case

OK_FORMAT = False

name = "q5"
points = 3

@test_case(points=None, hidden=False)
def test_q5_counts(lstm_params, gru_params):
    from kerascourse.checks import rnn as rnn_checks
    rnn_checks.require_hand_counts(lstm_params, gru_params, 16, 8)

@test_case(points=None, hidden=False)
def test_q5_sequences(state_shapes):
    from kerascourse.checks import rnn as rnn_checks
    rnn_checks.require_state_shapes(state_shapes, 16, 8, 10, 4, keys=['lstm_sequences'])

