from otter.test_files import test_case

OK_FORMAT = False

name = "q6"
points = 4

@test_case(points=None, hidden=False)
def test_q6_counts(base_params, conv_layers):
    from kerascourse.checks import transfer as transfer_checks
    transfer_checks.require_pair(base_params, 'base_params', 'a number of parameters')
    transfer_checks.require_pair(conv_layers, 'conv_layers', 'a number of Conv2D layers')

@test_case(points=None, hidden=False)
def test_q6_format(same_preprocessing, forward_seconds, choice):
    from kerascourse.checks import transfer as transfer_checks
    transfer_checks.require_boolean(same_preprocessing, 'same_preprocessing', 'what np.allclose of the two outputs gives')
    transfer_checks.require_pair(forward_seconds, 'forward_seconds', 'the seconds of one forward pass')
    transfer_checks.require_letter(choice, 'choice')

