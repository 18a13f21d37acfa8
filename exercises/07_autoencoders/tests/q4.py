from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = 4

@test_case(points=None, hidden=False)
def test_q4_two_numbers(encoder_2d):
    from kerascourse.checks import autoencoders as autoencoder_checks
    autoencoder_checks.require_code_shape(encoder_2d, (2,), 'encoder_2d')
    autoencoder_checks.require_linear_code(encoder_2d, 'encoder_2d')

@test_case(points=None, hidden=False)
def test_q4_codes_shape(codes):
    from kerascourse.checks import autoencoders as autoencoder_checks
    from kerascourse.course import data
    x_test, _ = data.load_arrays('mnist', 'test')
    autoencoder_checks.require_codes_shape(codes, len(x_test), 2)

