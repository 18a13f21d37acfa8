from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = 4

@test_case(points=None, hidden=False)
def test_q2_flat_and_centred(flat, centred, pixels):
    from kerascourse.checks import torch_basics
    pixels = torch_basics.require_tensor(pixels, 'pixels', 'answer question 1 first')
    torch_basics.require_flat(flat, pixels)
    torch_basics.require_centred(centred, pixels.reshape(len(pixels), -1))

@test_case(points=None, hidden=False)
def test_q2_crops_and_mean(crops, mean_image, pixels):
    from kerascourse.checks import torch_basics
    pixels = torch_basics.require_tensor(pixels, 'pixels', 'answer question 1 first')
    torch_basics.require_crops(crops, pixels)
    torch_basics.require_mean_image(mean_image, pixels)

