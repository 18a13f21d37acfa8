from otter.test_files import test_case

OK_FORMAT = False

name = "q5"
points = 4

@test_case(points=None, hidden=False)
def test_q5_gain(pretraining_gain, finetuned_accuracy, scratch_accuracy):
    from kerascourse import checks
    gain = checks.require_number(pretraining_gain, 'pretraining_gain', 'finetuned_accuracy - scratch_accuracy')
    fine = checks.require_number(finetuned_accuracy, 'finetuned_accuracy', 'bert_classifier.evaluate(test_inputs, test_labels)[1]')
    scratch = checks.require_number(scratch_accuracy, 'scratch_accuracy', 'scratch_classifier.evaluate(test_inputs, test_labels)[1]')
    if abs(gain - (fine - scratch)) > 1e-06:
        checks.fail(f'pretraining_gain is {gain:.3f}, but finetuned_accuracy - scratch_accuracy is {fine - scratch:.3f}; subtract in that order')

