from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = 3

@test_case(points=None, hidden=False)
def test_q1_rescaling(deployable):
    from kerascourse.checks import deploy as deploy_checks
    deploy_checks.require_rescaling(deployable, 'deployable')

