from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = 4

@test_case(points=None, hidden=False)
def test_q1_images(images, raw_images):
    from kerascourse.checks import tensors as tensor_checks
    tensor_checks.require_tensor_of(images, raw_images)

@test_case(points=None, hidden=False)
def test_q1_rank(rank, raw_images):
    from kerascourse.checks import tensors as tensor_checks
    tensor_checks.require_rank(rank, raw_images.shape)

@test_case(points=None, hidden=False)
def test_q1_pixels_float32_in_0_to_1(pixels, raw_images):
    from kerascourse.checks import tensors as tensor_checks
    tensor_checks.require_pixels(pixels, raw_images)

