from otter.test_files import test_case

OK_FORMAT = False

name = "q6"
points = 3

@test_case(points=None, hidden=False)
def test_q6_fields(model_card):
    from kerascourse.checks import deploy as deploy_checks
    deploy_checks.require_card_fields(model_card)

