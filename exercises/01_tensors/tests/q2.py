from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = 5

@test_case(points=None, hidden=False)
def test_q2_flat(flat, pixels):
    import numpy as np
    from kerascourse.checks import tensors as tensor_checks
    tensor_checks.require_flat(flat, np.asarray(pixels))

@test_case(points=None, hidden=False)
def test_q2_shapes(crops, mean_image, pixels):
    import numpy as np
    from kerascourse.checks import tensors as tensor_checks
    tensor_checks.require_crops(crops, np.asarray(pixels))
    tensor_checks.require_mean_image(mean_image, np.asarray(pixels))

