from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = 4

@test_case(points=None, hidden=False)
def test_q2_shapes(scaled_dot_product_attention):
    from kerascourse.checks import attention as attention_checks
    attention_checks.attention_result(scaled_dot_product_attention, 'unmasked')

@test_case(points=None, hidden=False)
def test_q2_matches_layer(attention_difference):
    from kerascourse.checks import attention as attention_checks
    attention_checks.require_matches_layer(attention_difference)

