from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = 5

@test_case(points=None, hidden=False)
def test_q3_export_difference(export_difference, savedmodel_predictions, onnx_predictions, deployable):
    from kerascourse.checks import deploy as deploy_checks
    deploy_checks.require_export_difference(export_difference, savedmodel_predictions, onnx_predictions, deployable)

@test_case(points=None, hidden=False)
def test_q3_savedmodel(savedmodel_predictions, deployable, classifier):
    from kerascourse.checks import deploy as deploy_checks
    deploy_checks.require_export_predictions(savedmodel_predictions, 'savedmodel_predictions', deployable, classifier, tolerance=0.0001)

