from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = 3

@test_case(points=None, hidden=False)
def test_q1_sizes(train_series, val_series, test_series):
    import numpy as np
    from kerascourse import checks
    sizes = {}
    for name, part in (('train_series', train_series), ('val_series', val_series), ('test_series', test_series)):
        checks.require_defined(part, name)
        sizes[name] = np.asarray(part).size
    if sizes != {'train_series': 220, 'val_series': 44, 'test_series': 45}:
        checks.fail(f'the parts have {sizes}; 1700-1919, 1920-1963 and 1964-2008 hold 220, 44 and 45 years, so cut at the boundary years, so that the parts do not overlap and leave no year out')

@test_case(points=None, hidden=False)
def test_q1_statistics_are_numbers(mean, std):
    from kerascourse import checks
    checks.require_number(mean, 'mean', 'train_series.mean()')
    if checks.require_number(std, 'std', 'train_series.std()') <= 0:
        checks.fail('std must be positive: the standard deviation of train_series')

