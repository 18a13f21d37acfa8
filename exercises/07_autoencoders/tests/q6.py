from otter.test_files import test_case

OK_FORMAT = False

name = "q6"
points = 6

@test_case(points=None, hidden=False)
def test_q6_model(anomaly_ae):
    from kerascourse.checks import autoencoders as autoencoder_checks
    autoencoder_checks.require_image_to_image(anomaly_ae, 'anomaly_ae', 'anomaly_ae')
    autoencoder_checks.require_pixel_output(anomaly_ae, 'anomaly_ae', 'anomaly_ae')

@test_case(points=None, hidden=False)
def test_q6_one_error_per_image(test_errors, threshold):
    from kerascourse import checks
    from kerascourse.checks import autoencoders as autoencoder_checks
    from kerascourse.course import data
    x_test, _ = data.load_arrays('mnist', 'test')
    autoencoder_checks.require_error_shape(test_errors, len(x_test))
    checks.require_number(threshold, 'threshold', 'np.percentile(val_errors, 95)')

