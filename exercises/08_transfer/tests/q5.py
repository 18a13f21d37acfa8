from otter.test_files import test_case

OK_FORMAT = False

name = "q5"
points = 4

@test_case(points=None, hidden=False)
def test_q5_counts_are_numbers(head_params, fine_tune_params):
    from kerascourse import checks
    checks.require_number(head_params, 'head_params', 'a formula that gives a whole number')
    checks.require_number(fine_tune_params, 'fine_tune_params', 'a sum that gives a whole number')

@test_case(points=None, hidden=False)
def test_q5_why_format(why):
    from kerascourse.checks import transfer as transfer_checks
    transfer_checks.require_consequence_letters(why)

