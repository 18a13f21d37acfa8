from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = 4

@test_case(points=None, hidden=False)
def test_q3_model(conv_autoencoder, conv_encoder):
    from kerascourse.checks import autoencoders as autoencoder_checks
    autoencoder_checks.require_image_to_image(conv_autoencoder, 'conv_autoencoder', 'conv_decoder')
    autoencoder_checks.require_pixel_output(conv_autoencoder, 'conv_autoencoder', 'conv_decoder')
    autoencoder_checks.require_convolutional(conv_encoder, 'conv_encoder')

@test_case(points=None, hidden=False)
def test_q3_history(conv_history, CONV_EPOCHS):
    from kerascourse import checks
    checks.require_history(conv_history, 'conv_history', CONV_EPOCHS, '(x_val, x_val)')

