from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = 4

@test_case(points=None, hidden=False)
def test_q3_structure(transformer, SEQUENCE_LENGTH):
    from kerascourse.checks import attention as attention_checks
    attention_checks.require_encoder(transformer, SEQUENCE_LENGTH)

@test_case(points=None, hidden=False)
def test_q3_reported(transformer, transformer_accuracy, test_tokens, test_labels):
    from kerascourse import checks
    checks.require_reported_accuracy(transformer, transformer_accuracy, test_tokens, test_labels, 'transformer', 'transformer_accuracy', 'transformer.evaluate(test_tokens, test_labels)[1]')

