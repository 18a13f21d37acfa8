"""Lessons 09's and 10's checks on PyTorch answers, each run twice: on the live objects, as in the notebook, and on
what the batch grader reads back from the sandbox's export (``as_graded``)."""

import numpy as np
import pytest
import torch
from failing import fails_with
from recorded import as_graded
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from kerascourse import checks
from kerascourse.checks import torch_basics as tb
from kerascourse.checks import torch_models as tm
from kerascourse.course import data

RAW = np.random.default_rng(0).integers(0, 256, size=(6, 28, 28, 1), dtype=np.uint8)
N, BATCH = 40, 8  # q3's probe data: image i has every pixel i / 255, so each image says which example it is
PIXELS = np.repeat(np.arange(N, dtype=np.float32) / 255, 4).reshape(N, 1, 2, 2)
LABELS = np.arange(N, dtype=np.int64) % 10
MODES = ["in the notebook", "exported"]


# as the lessons' grading.yaml say
PROBED = {"xor_model": "kerascourse.checks.torch_basics", **{
    name: "kerascourse.checks.torch_models" for name in ("mlp", "cnn", "train_epoch", "evaluate")}}


@pytest.fixture(params=MODES)
def given(request, tmp_path):
    """Hands an answer to a check as the notebook has it, or as the batch grader reads it back."""
    counter = iter(range(1000))

    def hand(value, name="answer"):
        if request.param == MODES[0]:
            return value
        return as_graded(value, name, PROBED.get(name), tmp_path / f"{name}-{next(counter)}")

    return hand


def test_tensors_from_numpy_and_back(given):
    images = torch.from_numpy(RAW)
    pixels = images.permute(0, 3, 1, 2).float() / 255
    tb.require_images(given(images), RAW)
    tb.require_pixels(given(pixels), RAW)
    tb.require_back(given(pixels.numpy()), tb.channels_first(RAW))
    tb.require_device(given(torch.device("cpu")))
    tb.require_device(given("cpu"))
    fails_with("numpy array, not a PyTorch tensor", tb.require_images, given(RAW), RAW)
    fails_with("torch.from_numpy keeps numpy's dtype", tb.require_images, given(images.long()), RAW)
    fails_with("channels last as numpy stores them", tb.require_pixels, given(images.float() / 255), RAW)
    fails_with("hold float32 weights", tb.require_pixels, given(torch.from_numpy(RAW / 255.0).permute(0, 3, 1, 2)), RAW)
    fails_with("cast to float32", tb.require_pixels, given(images.permute(0, 3, 1, 2) // 255), RAW)
    fails_with("divide by 255", tb.require_pixels, given(images.permute(0, 3, 1, 2).float()), RAW)
    fails_with("still a PyTorch tensor", tb.require_back, given(pixels.clone()), tb.channels_first(RAW))
    fails_with("this machine has no GPU", tb.require_device, given("cuda"))
    fails_with("make it with torch.device", tb.require_device, given("gpu"))


def test_shapes_slices_reductions_and_broadcasting(given):
    pixels = tb.channels_first(RAW)
    tensor = torch.from_numpy(pixels)
    flat = tensor.reshape(len(tensor), -1)
    tb.require_flat(given(flat), pixels)
    tb.require_crops(given(tensor[:, :, 4:24, 4:24]), pixels)
    tb.require_mean_image(given(tensor.mean(dim=0)), pixels)
    tb.require_centred(given(flat - flat.mean(dim=0)), flat.numpy())
    fails_with("the batch dimension comes first", tb.require_flat, given(tensor.reshape(784, -1)), pixels)
    fails_with("the channel axis comes second", tb.require_crops, given(tensor[:, 4:24, 4:24]), pixels)
    fails_with("stop before their end", tb.require_crops, given(tensor[:, :, 3:23, 3:23]), pixels)
    fails_with("mean_image is one number", tb.require_mean_image, given(tensor.mean()), pixels)
    fails_with("(1, 28, 28)", tb.require_mean_image, given(tensor.mean(dim=(0, 1))), pixels)
    fails_with("each image's own mean", tb.require_centred, given(flat - flat.mean(dim=1, keepdim=True)),
               flat.numpy())


def loader(shuffle=True, labels=LABELS, batch_size=BATCH, order=None):
    images, targets = torch.from_numpy(PIXELS), torch.from_numpy(labels)
    if order is not None:
        images, targets = images[order], targets[order]
    return DataLoader(TensorDataset(images, targets), batch_size=batch_size, shuffle=shuffle)


def test_loaders_shuffle_the_training_set_only_and_keep_int64_labels(given):
    torch.manual_seed(0)
    tb.require_train_loader(given(loader()), PIXELS, LABELS, BATCH)
    tb.require_test_loader(given(loader(shuffle=False, batch_size=5)), PIXELS, LABELS)
    tb.require_labels(given(torch.from_numpy(LABELS)), LABELS)
    fails_with("pass shuffle=True", tb.require_train_loader, given(loader(shuffle=False)), PIXELS, LABELS, BATCH)
    fails_with("shuffled once", tb.require_train_loader, given(loader(shuffle=False, order=torch.randperm(N))),
               PIXELS, LABELS, BATCH)
    fails_with("batch_size=BATCH_SIZE", tb.require_train_loader, given(loader(batch_size=5)), PIXELS, LABELS, BATCH)
    fails_with("test_loader shuffles the test set", tb.require_test_loader, given(loader()), PIXELS, LABELS)
    fails_with("int64 class indices", tb.require_train_loader, given(loader(labels=LABELS.astype(np.float32))),
               PIXELS, LABELS, BATCH)
    fails_with("other labels", tb.require_test_loader, given(loader(shuffle=False, labels=(LABELS + 1) % 10)),
               PIXELS, LABELS)
    fails_with("not in its split", tb.require_test_loader, given(loader(shuffle=False)), PIXELS[:20], LABELS[:20])
    fails_with("make it with DataLoader", tb.require_train_loader, given(PIXELS), PIXELS, LABELS, BATCH)
    fails_with("int64 (torch.long)", tb.require_labels, given(torch.from_numpy(LABELS).float()), LABELS)
    fails_with("int64 (torch.long)", tb.require_labels, given(torch.from_numpy(LABELS.astype(np.int32))), LABELS)


def test_batch_counts_round_up_and_drop_last_rounds_down():
    tb.require_batches_per_epoch(13, 800, 64)
    tb.require_batches_with_drop_last(12, 800, 64)
    fails_with("round the division up", tb.require_batches_per_epoch, 12, 800, 64)
    fails_with("round the division down", tb.require_batches_with_drop_last, 13, 800, 64)
    fails_with("make 13", tb.require_batches_per_epoch, 800 / 64, 800, 64)


def gradients(clone=True, zero=True):
    """q4's v as students compute it: right, with v.grad stored without a copy, or never zeroed."""
    copy = (lambda grad: grad.clone()) if clone else (lambda grad: grad)
    v = torch.tensor(tb.V_START.tolist(), requires_grad=True)
    (v**2).sum().backward()
    once = copy(v.grad)
    (v**2).sum().backward()
    twice = copy(v.grad)
    if zero:
        v.grad.zero_()
    (v**2).sum().backward()
    with torch.no_grad():
        v -= tb.LEARNING_RATE * v.grad
    return once, twice, v.detach().clone()


def test_autograd_accumulates_until_zeroed(given):
    w = torch.tensor(2.0, requires_grad=True)
    (w**3 - 4 * w).backward()
    tb.require_dy_dw(given(w.grad))
    tb.require_by_hand(given(8.0))
    once, twice, stepped = gradients()
    tb.require_accumulated(given(once), given(twice))
    tb.require_stepped(given(stepped))
    fails_with("dy_dw is None", tb.require_dy_dw, given(torch.tensor(2.0, requires_grad=True).grad))
    fails_with("the term -4*w", tb.require_by_hand, given(12.0))
    fails_with("store v.grad.clone()", tb.require_accumulated, *map(given, gradients(clone=False)[:2]))
    fails_with("still held earlier backward passes", tb.require_stepped, given(gradients(zero=False)[2]))
    fails_with("update v in place", tb.require_stepped, given(torch.tensor(tb.V_START)))


def xor(layers, loss_fn, steps=300, step=True):
    torch.manual_seed(0)
    model = nn.Sequential(*layers)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    inputs, targets = torch.from_numpy(tb.XOR_INPUTS), torch.from_numpy(tb.XOR_TARGETS)
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = loss_fn(model(inputs), targets)
        loss.backward()
        if step:
            optimizer.step()
        losses.append(loss.item())
    return model, losses


def test_xor_needs_a_hidden_non_linearity_and_logits_for_its_loss(given):
    logits = nn.BCEWithLogitsLoss()
    model, losses = xor([nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1)], logits)
    tb.require_loss_fn(given(logits, "loss_fn"))
    tb.require_xor_model(given(model, "xor_model"), given(logits, "loss_fn"), min_accuracy=1.0)
    tb.require_xor_losses(given(losses))
    tb.require_reported_accuracy(given(1.0), given(model, "xor_model"), given(logits, "loss_fn"))
    probabilities, bce = xor([nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1), nn.Sigmoid()], nn.BCELoss())
    tb.require_xor_model(given(probabilities, "xor_model"), given(nn.BCELoss(), "loss_fn"), min_accuracy=1.0)

    linear, _ = xor([nn.Linear(2, 8), nn.Linear(8, 1)], logits)
    fails_with("no linear function separates XOR", tb.require_xor_model, given(linear, "xor_model"),
               given(logits, "loss_fn"), min_accuracy=1.0)
    sigmoid, _ = xor([nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1), nn.Sigmoid()], logits)
    fails_with("remove the final nn.Sigmoid()", tb.require_xor_model, given(sigmoid, "xor_model"),
               given(logits, "loss_fn"), min_accuracy=1.0)
    untrained, flat_losses = xor([nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1)], logits, step=False)
    fails_with("train it until", tb.require_xor_model, given(untrained, "xor_model"), given(logits, "loss_fn"),
               min_accuracy=1.0)
    fails_with("call optimizer.step()", tb.require_xor_losses, given(flat_losses))
    fails_with("needs nn.BCEWithLogitsLoss()", tb.require_loss_fn, given(nn.MSELoss(), "loss_fn"))
    fails_with("one output per class", tb.require_loss_fn, given(nn.CrossEntropyLoss(), "loss_fn"))
    fails_with("make it with nn.BCEWithLogitsLoss()", tb.require_loss_fn,
               given({"torch_module": {"type": "BCEWithLogitsLoss"}}, "loss_fn"))
    fails_with("gets 100% of the 4 points", tb.require_reported_accuracy, given(0.5), given(model, "xor_model"),
               given(logits, "loss_fn"))
    fails_with("one number per input", tb.require_xor_model, given(nn.Linear(2, 3), "xor_model"),
               given(logits, "loss_fn"), min_accuracy=1.0)


def test_tensors_stored_in_the_losses_are_named():
    fails_with("append loss.item()", tb.require_xor_losses, [torch.tensor(1.0, requires_grad=True) * 2] * 20)


# --- lesson 10 ------------------------------------------------------------------------------


class MLP(nn.Module):
    """q1's MLP, right or with one classic bug."""

    def __init__(self, softmax=False, relu=True):
        super().__init__()
        self.fc1, self.relu, self.fc2 = nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10)
        self.softmax, self.use_relu = softmax, relu

    def forward(self, x):
        hidden = self.fc1(x.flatten(1))
        out = self.fc2(self.relu(hidden) if self.use_relu else hidden)
        return torch.softmax(out, dim=1) if self.softmax else out


def test_an_mlp_module_returns_logits_through_a_relu(given):
    torch.manual_seed(0)
    tm.require_mlp(given(MLP(), "mlp"))
    tm.require_n_params(given(101_770), given(MLP(), "mlp"))
    tm.require_loss_fn(given(nn.CrossEntropyLoss(), "loss_fn"))
    fails_with("applies log-softmax itself", tm.require_mlp, given(MLP(softmax=True), "mlp"))
    fails_with("apply the ReLU between fc1 and fc2", tm.require_mlp, given(MLP(relu=False), "mlp"))
    one_layer = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    fails_with("fc1 = nn.Linear(784, 128)", tm.require_mlp, given(one_layer, "mlp"))
    fails_with("the weights alone", tm.require_n_params, given(101_632), given(MLP(), "mlp"))
    fails_with("NLLLoss, which wants log-probabilities", tm.require_loss_fn, given(nn.NLLLoss(), "loss_fn"))
    fails_with("make it an instance", tm.require_mlp, given(MLP, "mlp"))


def train_epoch(zero_grad=True, train_mode=True):
    def train(model, loader, loss_fn, optimizer):
        if train_mode:
            model.train()
        total = 0.0
        for x, y in loader:
            if zero_grad:
                optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(y)
        return total / len(loader.dataset)

    return train


def evaluate(eval_mode=True, no_grad=True, share=True):
    def run(model, loader):
        if eval_mode:
            model.eval()
        correct = 0
        with torch.set_grad_enabled(not no_grad):
            for x, y in loader:
                correct += (model(x).argmax(dim=1) == y).sum().item()
        return correct / len(loader.dataset) if share else correct

    return run


def test_training_and_evaluation_functions_run_on_the_probe_classifier(given):
    tm.require_train_epoch(given(train_epoch(), "train_epoch"))
    tm.require_evaluate(given(evaluate(), "evaluate"))
    fails_with("never zeroes the gradients", tm.require_train_epoch, given(train_epoch(zero_grad=False), "train_epoch"))
    fails_with("call model.train() first", tm.require_train_epoch, given(train_epoch(train_mode=False), "train_epoch"))
    fails_with("call model.eval() first", tm.require_evaluate, given(evaluate(eval_mode=False), "evaluate"))
    fails_with("with torch.no_grad()", tm.require_evaluate, given(evaluate(no_grad=False), "evaluate"))
    fails_with("divide by len(loader.dataset)", tm.require_evaluate, given(evaluate(share=False), "evaluate"))
    fails_with("failed on the grader's probe model: ZeroDivisionError", tm.require_train_epoch,
               given(lambda *args: 1 / 0, "train_epoch"))

    def last_batch_loss(model, loader, loss_fn, optimizer):
        train_epoch()(model, loader, loss_fn, optimizer)
        return 123.0

    fails_with("return the epoch's mean loss", tm.require_train_epoch, given(last_batch_loss, "train_epoch"))


class CNN(nn.Module):
    def __init__(self, flat_features=32 * 7 * 7, padding=1):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=padding)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=padding)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(flat_features, 10)

    def forward(self, x):
        x = self.pool(torch.relu(self.conv1(x)))
        return self.fc(self.pool(torch.relu(self.conv2(x))).flatten(1))


def test_the_flatten_size_is_what_fc_receives(given):
    tm.require_cnn(given(CNN(), "cnn"), given(1568))
    tm.require_cnn(given(CNN(800, padding=0), "cnn"), given(800))
    message = fails_with("fc receives 1568 numbers per image", tm.require_cnn, given(CNN(6272), "cnn"), given(6272))
    assert "MaxPool2d gives (32, 7, 7)" in message
    fails_with("fc receives 1568", tm.require_cnn, given(CNN(), "cnn"), given(49))
    fails_with("never reaches a Linear layer", tm.require_cnn,
               given(nn.Sequential(nn.Conv2d(1, 4, 3), nn.Conv2d(1, 4, 3)), "cnn"), given(10))


def test_a_reported_accuracy_is_the_models_own_on_the_test_digits(given):
    torch.manual_seed(0)
    model = MLP()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    images, labels = data.load_arrays("mnist", "train")
    loader_ = DataLoader(TensorDataset(torch.from_numpy(images.transpose(0, 3, 1, 2).copy()),
                                       torch.from_numpy(labels).long()), batch_size=64, shuffle=True)
    for _ in range(3):
        train_epoch()(model, loader_, nn.CrossEntropyLoss(), optimizer)
    test_images, test_labels = tm.held_out_digits()
    with torch.no_grad():
        accuracy = float((model(torch.from_numpy(test_images)).argmax(1).numpy() == test_labels).mean())
    tm.require_accuracy(given(accuracy), given(model, "mlp"), "mlp", "mlp_accuracy", minimum=0.8)
    fails_with("report evaluate(mlp, test_loader)", tm.require_accuracy, given(accuracy + 0.05),
               given(model, "mlp"), "mlp", "mlp_accuracy", minimum=0.8)
    fails_with("below the question's bar", tm.require_accuracy, given(accuracy), given(model, "mlp"), "mlp",
               "mlp_accuracy", minimum=0.99)


def test_keras_runs_on_torch_and_both_timings_are_kept():
    tm.require_epoch_seconds([0.3, 0.2, 0.25], 3)
    fails_with("each of the 3 epochs", tm.require_epoch_seconds, [0.3], 3)
    fails_with("positive numbers", tm.require_epoch_seconds, [0.3, 0.0, 0.1], 3)
    tm.require_backend("torch")
    fails_with("before keras is first imported", tm.require_backend, "tensorflow")
    fails_with("keras_backend is not available", tm.require_backend, checks.Unavailable(checks.NOT_DEFINED))
    tm.require_timings({"torch": 0.3, "keras": 0.7})
    fails_with("{'torch': ..., 'keras': ...}", tm.require_timings, [0.3, 0.7])
    fails_with("a positive number of seconds", tm.require_timings, {"torch": 0.3, "keras": None})
