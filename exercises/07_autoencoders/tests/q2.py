from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = 4

@test_case(points=None, hidden=False)
def test_q2_history(ae_history, EPOCHS):
    from kerascourse import checks
    checks.require_history(ae_history, 'ae_history', EPOCHS, '(x_val, x_val)')

@test_case(points=None, hidden=False)
def test_q2_mse_reported(ae_test_mse):
    from kerascourse import checks
    from kerascourse.checks import autoencoders as autoencoder_checks
    how = 'the number autoencoder.evaluate(x_test, x_test) returns'
    value = checks.require_number(ae_test_mse, 'ae_test_mse', how)
    if not 0 <= value <= 1:
        checks.fail(f'ae_test_mse is {value!r}, but an MSE of pixels in [0, 1] lies in [0, 1]; store {how}')

