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
    from kerascourse import checks
    keys = {'no_recompile', 'high_learning_rate', 'bn_training', 'no_preprocessing'}
    if not isinstance(why, dict) or set(why) != keys:
        checks.fail(f"why must be a dict with the keys {', '.join(sorted(keys))}")
    for key, letter in why.items():
        if str(letter).strip().upper() not in {'A', 'B', 'C', 'D'}:
            checks.fail(f'why[{key!r}] is {letter!r}; answer with one of the letters A, B, C, D')

