from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = 4

@test_case(points=None, hidden=False)
def test_q2_archive(archive_contents):
    from kerascourse.checks import deploy as deploy_checks
    deploy_checks.require_archive(archive_contents)

@test_case(points=None, hidden=False)
def test_q2_reload_difference(reload_difference, reloaded, deployable):
    from kerascourse.checks import deploy as deploy_checks
    deploy_checks.require_reload_difference(reload_difference, reloaded, deployable)

