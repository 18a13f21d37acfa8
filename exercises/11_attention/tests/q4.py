from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = 5

@test_case(points=None, hidden=False)
def test_q4_head(bert_classifier):
    from kerascourse.checks import bert as bert_checks
    bert_checks.require_head(bert_classifier, 'bert_classifier')

@test_case(points=None, hidden=False)
def test_q4_reported(bert_classifier, finetuned_accuracy, BERT_SEQUENCE_LENGTH):
    from kerascourse.checks import bert as bert_checks
    bert_checks.require_reported(bert_classifier, finetuned_accuracy, 'bert_classifier', 'finetuned_accuracy', BERT_SEQUENCE_LENGTH)

