from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = 4

@test_case(points=None, hidden=False)
def test_q1_model(resnet):
    from kerascourse.checks import transfer as transfer_checks
    transfer_checks.require_imagenet_classifier(resnet)

@test_case(points=None, hidden=False)
def test_q1_top5(top5, photos):
    from kerascourse.checks import transfer as transfer_checks
    transfer_checks.require_top5_format(top5, len(photos))

