from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = 6

@test_case(points=None, hidden=False)
def test_q4_batches(make_pipeline):
    from kerascourse.checks import tensors as tensor_checks
    tensor_checks.require_pipeline_batches(make_pipeline)

@test_case(points=None, hidden=False)
def test_q4_batches_per_epoch(batches_per_epoch, raw_images, BATCH_SIZE):
    from kerascourse.checks import tensors as tensor_checks
    tensor_checks.require_batches_per_epoch(batches_per_epoch, len(raw_images), BATCH_SIZE)

