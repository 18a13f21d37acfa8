from otter.test_files import test_case

OK_FORMAT = False

name = "q5"
points = 4

@test_case(points=None, hidden=False)
def test_q5_model(denoiser):
    from kerascourse.checks import autoencoders as autoencoder_checks
    autoencoder_checks.require_image_to_image(denoiser, 'denoiser', 'denoiser')
    autoencoder_checks.require_pixel_output(denoiser, 'denoiser', 'denoiser')

@test_case(points=None, hidden=False)
def test_q5_less_noise(denoised_test_mse, noisy_test_mse):
    from kerascourse.checks import autoencoders as autoencoder_checks
    autoencoder_checks.require_less_noise(denoised_test_mse, noisy_test_mse)

