from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = 6

@test_case(points=None, hidden=False)
def test_q3_labels(labels, raw_labels):
    from kerascourse.checks import torch_basics
    torch_basics.require_labels(labels, raw_labels)

@test_case(points=None, hidden=False)
def test_q3_loaders(train_loader, test_loader, pixels, labels, n_train, BATCH_SIZE):
    from kerascourse.checks import torch_basics
    pixels = torch_basics.require_tensor(pixels, 'pixels', 'answer question 1 first')
    labels = torch_basics.require_tensor(labels, 'labels', 'make it with torch.from_numpy(raw_labels).long()')
    torch_basics.require_train_loader(train_loader, pixels[:n_train], labels[:n_train], BATCH_SIZE)
    torch_basics.require_test_loader(test_loader, pixels[n_train:], labels[n_train:])

@test_case(points=None, hidden=False)
def test_q3_batch_counts(batches_per_epoch, batches_with_drop_last, n_train, BATCH_SIZE):
    from kerascourse.checks import torch_basics
    torch_basics.require_batches_per_epoch(batches_per_epoch, n_train, BATCH_SIZE)
    torch_basics.require_batches_with_drop_last(batches_with_drop_last, n_train, BATCH_SIZE)

