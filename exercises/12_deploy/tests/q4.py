from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = 4

@test_case(points=None, hidden=False)
def test_q4_sizes(float_bytes, quantized_bytes, deployable):
    from kerascourse.checks import deploy as deploy_checks
    deploy_checks.require_sizes(float_bytes, quantized_bytes, deployable, max_fraction=0.5)

@test_case(points=None, hidden=False)
def test_q4_latency(latency):
    from kerascourse.checks import deploy as deploy_checks
    deploy_checks.require_latency(latency)

