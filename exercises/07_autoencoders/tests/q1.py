from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = 4

@test_case(points=None, hidden=False)
def test_q1_shapes(autoencoder):
    from kerascourse.checks import autoencoders as autoencoder_checks
    autoencoder_checks.require_image_to_image(autoencoder, 'autoencoder')

@test_case(points=None, hidden=False)
def test_q1_pixel_output(autoencoder):
    from kerascourse.checks import autoencoders as autoencoder_checks
    autoencoder_checks.require_pixel_output(autoencoder, 'autoencoder')

@test_case(points=None, hidden=False)
def test_q1_bottleneck(encoder):
    from kerascourse.checks import autoencoders as autoencoder_checks
    autoencoder_checks.require_bottleneck(encoder, 'encoder')

