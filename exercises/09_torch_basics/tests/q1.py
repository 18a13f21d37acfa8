from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = 4

@test_case(points=None, hidden=False)
def test_q1_images(images, raw_images):
    from kerascourse.checks import torch_basics
    torch_basics.require_images(images, raw_images)

@test_case(points=None, hidden=False)
def test_q1_pixels(pixels, raw_images):
    from kerascourse.checks import torch_basics
    torch_basics.require_pixels(pixels, raw_images)

@test_case(points=None, hidden=False)
def test_q1_back_and_device(back, pixels, device):
    from kerascourse.checks import torch_basics
    torch_basics.require_back(back, torch_basics.require_tensor(pixels, 'pixels', 'see above'))
    torch_basics.require_device(device)

