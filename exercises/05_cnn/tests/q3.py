from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = 4

@test_case(points=None, hidden=False)
def test_q3_training_only(augment):
    from kerascourse.checks import cnn as cnn_checks
    cnn_checks.require_augmentation_modes(augment, (28, 28, 1))

@test_case(points=None, hidden=False)
def test_q3_keeps_digits(augment):
    from kerascourse.checks import cnn as cnn_checks
    cnn_checks.require_augmentation_modes(augment, (28, 28, 1))
    cnn_checks.require_digit_safe_augmentation(augment, max_rotation=0.1)

