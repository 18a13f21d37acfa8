from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = 3

@test_case(points=None, hidden=False)
def test_q1_shapes(train_tokens, train_mask, SEQUENCE_LENGTH):
    from kerascourse.checks import attention as attention_checks
    attention_checks.require_token_shapes(train_tokens, train_mask, SEQUENCE_LENGTH)

