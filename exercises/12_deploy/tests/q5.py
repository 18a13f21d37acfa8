from otter.test_files import test_case

OK_FORMAT = False

name = "q5"
points = 5

@test_case(points=None, hidden=False)
def test_q5_answers(create_app):
    from kerascourse.checks import deploy as deploy_checks
    deploy_checks.require_service_answers(create_app)

@test_case(points=None, hidden=False)
def test_q5_loads_once(create_app):
    from kerascourse.checks import deploy as deploy_checks
    deploy_checks.require_service_loads_once(create_app)

