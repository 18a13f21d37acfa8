"""Checks of lesson 10_torch_models: an ``nn.Module`` MLP, the training loop and evaluation, a CNN whose
flatten size is worked out by hand, and the same MLP in Keras on the PyTorch backend.

Models are read through their probe calls (``PROBE_CALLS``): the module tree, the outputs on the
grader's images, and each layer's input and output shapes in the order ``forward`` calls them. The
training and evaluation functions are called on a small probe classifier that notes, at every
forward pass, whether it is in training mode and whether autograd records; the weights they leave
are compared with those of reference loops, right and wrong, run on the trusted side.
"""

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from kerascourse.checks import numeric_array, probes, require_at_least, require_number
from kerascourse.checks.answers import CheckFailed, explain, fail, require_defined
from kerascourse.checks.torch_answers import itself, module_type, probed_tree
from kerascourse.course import data

PROBE_IMAGES = torch.from_numpy(np.random.default_rng(0).random((4, 1, 28, 28), dtype=np.float32))
# The probe classifier's data: 24 examples of 4 features, 3 classes, in batches of 8 taken in order.
PROBE_X = torch.from_numpy(np.random.default_rng(1).normal(size=(24, 4)).astype(np.float32))
PROBE_Y = torch.from_numpy(np.arange(24) % 3)
PROBE_LEARNING_RATE = 0.1
MLP_UNITS = [(784, 128), (128, 10)]  # q1's Linear layers, (in_features, out_features)


class ProbeNet(nn.Module):
    """A small classifier that notes, at each forward pass, ``[training, autograd records]``."""

    def __init__(self, dropout=0.0):
        super().__init__()
        self.fc1 = nn.Linear(4, 8)
        self.drop = nn.Dropout(dropout)
        self.fc2 = nn.Linear(8, 3)
        self.seen = []

    def forward(self, x):
        self.seen.append([self.training, torch.is_grad_enabled()])
        return self.fc2(self.drop(torch.relu(self.fc1(x))))


def probe_net(dropout=0.0):
    torch.manual_seed(3)
    return ProbeNet(dropout)


def probe_loader():
    return DataLoader(TensorDataset(PROBE_X, PROBE_Y), batch_size=8)


def reference_epoch(model, loader, loss_fn, optimizer, zero_grad=True):
    """The five-call loop, or the same without ``zero_grad``: what ``train_epoch`` is compared with."""
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


def _train_once(train_epoch):
    """``train_epoch`` on the probe classifier, handed over in eval mode (as after an evaluation)."""
    model = probe_net()
    model.eval()
    optimizer = torch.optim.SGD(model.parameters(), lr=PROBE_LEARNING_RATE)
    try:
        returned = train_epoch(model, probe_loader(), nn.CrossEntropyLoss(), optimizer)
    except CheckFailed:
        raise
    except Exception as error:  # noqa: BLE001 - the student's code may raise anything
        fail(f"train_epoch(model, loader, loss_fn, optimizer) failed on the grader's probe model: {explain(error)}")
    return {"state": model.state_dict(), "returned": returned, "seen": model.seen}


def _evaluate_once(evaluate):
    """``evaluate`` on the probe classifier with dropout, handed over in training mode (as after training)."""
    model = probe_net(dropout=0.5)
    model.train()
    torch.manual_seed(4)
    try:
        returned = evaluate(model, probe_loader())
    except CheckFailed:
        raise
    except Exception as error:  # noqa: BLE001 - the student's code may raise anything
        fail(f"evaluate(model, loader) failed on the grader's probe model: {explain(error)}")
    return {"returned": returned, "seen": model.seen}


def _on_device_of(model, images):
    parameter = next(model.parameters(), None)
    return images.to(parameter.device) if parameter is not None else images


def _outputs(images):
    def call(model):
        with torch.no_grad():
            return model(_on_device_of(model, images))
    return call


def held_out_digits():
    """The grader's test digits as the lesson's loaders give them: float32 ``(N, 1, 28, 28)``, and their labels."""
    images, labels = data.load_arrays("mnist", "test")
    return images.transpose(0, 3, 1, 2).copy(), labels


def _test_outputs(model):
    return _outputs(torch.from_numpy(held_out_digits()[0]))(model)


def _shapes(model):
    """Each leaf module's name, class, input shape and output shape (None where it failed), in the order
    ``forward`` calls them, and the error that stopped ``forward``, if any."""
    calls, hooks = [], []
    for name, module in model.named_modules():
        if list(module.children()):
            continue
        hooks.append(module.register_forward_pre_hook(
            lambda module, inputs, name=name: calls.append([name, type(module).__name__, list(inputs[0].shape), None])))
        hooks.append(module.register_forward_hook(
            lambda module, inputs, output: calls[-1].__setitem__(3, list(output.shape))))
    error = None
    try:
        _outputs(PROBE_IMAGES[:2])(model)
    except Exception as failure:  # noqa: BLE001 - a forward that fails still shows the shapes up to there
        error = explain(failure)
    finally:
        for hook in hooks:
            hook.remove()
    return {"calls": calls, "error": error}


def _linearity_batch():
    """Two images, their sum and a blank one: a linear map f gives f(a) + f(b) = f(a + b) + f(0)."""
    a, b = PROBE_IMAGES[0], PROBE_IMAGES[1]
    return torch.stack([a, b, a + b, torch.zeros_like(a)])


PROBE_CALLS = {
    "mlp": {"module": itself, "outputs": _outputs(_linearity_batch()), "test_outputs": _test_outputs},
    "cnn": {"module": itself, "shapes": _shapes, "test_outputs": _test_outputs},
    "train_epoch": {"epoch": _train_once},
    "evaluate": {"evaluate": _evaluate_once},
}


def _call(answer, name, key):
    return probes.call(answer, name, key, PROBE_CALLS[name])


# --- q1: an nn.Module MLP ---------------------------------------------------------------


def module_tree(model, name):
    return probed_tree(model, name, PROBE_CALLS[name], "make it an instance of your nn.Module class")


def linear_layers(tree):
    return [(m["config"].get("in_features"), m["config"].get("out_features"))
            for m in tree["modules"] if m["type"] == "Linear"]


def require_mlp(mlp):
    tree = module_tree(mlp, "mlp")
    found = linear_layers(tree)
    if found != MLP_UNITS:
        shown = ", ".join(f"Linear({i}, {o})" for i, o in found) or "none"
        fail(f"mlp's Linear layers are {shown}; it should have fc1 = nn.Linear(784, 128) and fc2 = nn.Linear(128, 10)")
    outputs = numeric_array(_call(mlp, "mlp", "outputs"))
    if outputs is None or outputs.shape != (4, 10):
        fail(f"mlp returns {getattr(outputs, 'shape', None)} for 4 images; it should return 10 scores per image, "
             "(4, 10): flatten each image in forward, x.flatten(1)")
    if np.all(outputs >= 0) and np.allclose(outputs.sum(axis=1), 1.0, atol=1e-4):
        fail("mlp's outputs are probabilities (each row sums to 1): nn.CrossEntropyLoss applies log-softmax "
             "itself and wants raw scores (logits), so forward must return fc2's output without softmax")
    if np.allclose(outputs[0] + outputs[1], outputs[2] + outputs[3], atol=1e-4):
        fail("mlp computes a linear function of its inputs: forward must apply the ReLU between fc1 and fc2, "
             "or the two layers are one linear map")


def require_n_params(n_params, mlp):
    value = require_number(n_params, "n_params", "784 * 128 + 128 + 128 * 10 + 10")
    counted = module_tree(mlp, "mlp")["trainable_parameters"]
    weights = sum(i * o for i, o in MLP_UNITS)
    if value == weights:
        fail(f"n_params is {value:g}, the weights alone; each Linear layer also learns one bias per output, "
             f"so add 128 + 10")
    if value != counted:
        fail(f"n_params is {value:g}; fc1 has 784 x 128 weights and 128 biases, fc2 128 x 10 and 10: {counted}")


def require_loss_fn(loss_fn):
    name = module_type(loss_fn, "loss_fn", "make it with nn.CrossEntropyLoss()")
    if name == "NLLLoss":
        fail("loss_fn is NLLLoss, which wants log-probabilities (after log_softmax); the model returns logits, "
             "so use nn.CrossEntropyLoss(), which applies log-softmax itself")
    if name != "CrossEntropyLoss":
        fail(f"loss_fn is {name}; ten classes with integer labels and logits need nn.CrossEntropyLoss()")


# --- q2 and q3: the training loop, evaluation, and training the MLP --------------------


def require_train_epoch(train_epoch):
    done = _call(train_epoch, "train_epoch", "epoch")
    seen = done["seen"]
    if not seen:
        fail("train_epoch never calls the model; for each batch (x, y) of the loader compute loss_fn(model(x), y)")
    if not all(training for training, _ in seen):
        fail("train_epoch trains the model in eval mode (as evaluate leaves it): call model.train() first, so "
             "that dropout and batch normalization train")
    expected = {}
    for zero_grad in (True, False):
        model = probe_net()
        optimizer = torch.optim.SGD(model.parameters(), lr=PROBE_LEARNING_RATE)
        loss = reference_epoch(model, probe_loader(), nn.CrossEntropyLoss(), optimizer, zero_grad=zero_grad)
        expected[zero_grad] = ({k: v.detach().numpy() for k, v in model.state_dict().items()}, loss)
    state = done["state"]

    def matches(reference):
        return set(state) == set(reference) and all(np.allclose(state[k], reference[k], atol=1e-5) for k in state)

    if matches(expected[False][0]):
        fail("train_epoch never zeroes the gradients, so every step adds up all the batches before it: call "
             "optimizer.zero_grad() at the start of each batch")
    if not matches(expected[True][0]):
        fail("after one epoch on the grader's probe batches the weights differ from those of the five-call loop; "
             "for each batch: optimizer.zero_grad(), outputs = model(x), loss = loss_fn(outputs, y), "
             "loss.backward(), optimizer.step()")
    returned = numeric_array(done["returned"])
    if returned is None or returned.size != 1 or not np.isclose(float(returned.reshape(())), expected[True][1],
                                                                atol=1e-4):
        fail(f"train_epoch returns {done['returned']!r}; return the epoch's mean loss, a number (add "
             "loss.item() * len(y) per batch and divide by len(loader.dataset))")


def require_evaluate(evaluate):
    done = _call(evaluate, "evaluate", "evaluate")
    seen = done["seen"]
    if not seen:
        fail("evaluate never calls the model; count the correct predictions over the loader's batches")
    if any(training for training, _ in seen):
        fail("evaluate runs the model in training mode (as train_epoch leaves it), so dropout still drops "
             "units: call model.eval() first")
    if any(records for _, records in seen):
        fail("evaluate lets autograd record every operation, which costs memory and time for nothing: run the "
             "loop inside with torch.no_grad():")
    model = probe_net(dropout=0.5)
    model.eval()
    with torch.no_grad():
        expected = float((model(PROBE_X).argmax(dim=1) == PROBE_Y).float().mean())
    returned = numeric_array(done["returned"])
    if returned is None or returned.size != 1:
        fail(f"evaluate returns {done['returned']!r}; return the share of correct predictions, a number")
    value = float(returned.reshape(()))
    if np.isclose(value, expected * 100):
        fail(f"evaluate returns {value:g}, a percentage; return the share of correct predictions, between 0 and 1")
    if not np.isclose(value, expected, atol=1e-6):
        fail(f"evaluate returns {value:g} where the probe model gets {expected:.3f} right; count "
             "(model(x).argmax(dim=1) == y) over every batch and divide by len(loader.dataset)")


def measured_accuracy(model, name):
    """The accuracy ``model`` has on the grader's test digits, from its probe call."""
    _, labels = held_out_digits()
    outputs = numeric_array(_call(model, name, "test_outputs"))
    if outputs is None or outputs.shape != (len(labels), 10):
        fail(f"{name} returns {getattr(outputs, 'shape', None)} for the test digits; it should return 10 scores "
             "per image")
    return float(np.mean(outputs.argmax(axis=1) == labels))


def require_accuracy(reported, model, name, reported_name, *, minimum):
    value = require_number(reported, reported_name, f"evaluate({name}, test_loader)")
    measured = measured_accuracy(model, name)
    if abs(measured - value) > 0.002:
        fail(f"{reported_name} is {value:.3f} but {name} gets {measured:.3f} of the test digits right; report "
             f"evaluate({name}, test_loader)")
    require_at_least(measured, reported_name, f"train {name} for the question's epochs with Adam(lr=1e-3)",
                     minimum=minimum)


def require_epoch_seconds(torch_seconds, epochs):
    if not isinstance(torch_seconds, (list, tuple)) or len(torch_seconds) != epochs:
        fail(f"torch_seconds is {torch_seconds!r}; append the seconds of each of the {epochs} epochs to a list")
    seconds = numeric_array(torch_seconds)
    if seconds is None or not np.all(seconds > 0):
        fail("torch_seconds should hold positive numbers: time.perf_counter() after an epoch minus before it")


# --- q4: a CNN ---------------------------------------------------------------------------


def require_cnn(cnn, flat_features):
    tree = module_tree(cnn, "cnn")
    convs = [m for m in tree["modules"] if m["type"] == "Conv2d"]
    if len(convs) < 2:
        fail(f"cnn has {len(convs)} nn.Conv2d layer(s); it should have two, conv1 and conv2")
    shapes = _call(cnn, "cnn", "shapes")
    calls = shapes["calls"]
    linear = next((call for call in calls if call[1] == "Linear"), None)
    if linear is None:
        stopped = f" (forward stopped: {shapes['error']})" if shapes["error"] else ""
        fail(f"cnn's forward never reaches a Linear layer{stopped}; end with fc = nn.Linear(flat_features, 10)")
    value = require_number(flat_features, "flat_features", "32 * 7 * 7")
    received = linear[2][-1]
    if value != received:
        path = "; ".join(f"{kind} gives {tuple(out[1:])}" for _, kind, _, out in calls[:calls.index(linear)]
                         if out and kind in {"Conv2d", "MaxPool2d", "AvgPool2d"})
        fail(f"flat_features is {value:g}, but fc receives {received} numbers per image ({path}): multiply "
             "the channels by the height and width after the last pooling")
    if shapes["error"]:
        fail(f"cnn's forward fails on two digits: {shapes['error']}")


# --- q5: the same MLP in Keras, on PyTorch ----------------------------------------------


def require_backend(keras_backend):
    require_defined(keras_backend, "keras_backend")
    if keras_backend != "torch":
        fail(f"keras_backend is {keras_backend!r}; set KERAS_BACKEND to torch before keras is first imported "
             "(the setup cell does) and store keras.config.backend()")


def require_timings(seconds_per_epoch):
    if not isinstance(seconds_per_epoch, dict) or set(seconds_per_epoch) != {"torch", "keras"}:
        fail(f"seconds_per_epoch is {seconds_per_epoch!r}; store {{'torch': ..., 'keras': ...}}, the seconds one "
             "epoch took in your loop and in fit")
    for key, value in seconds_per_epoch.items():
        number = numeric_array(value)
        if number is None or number.size != 1 or not float(number.reshape(())) > 0:
            fail(f"seconds_per_epoch[{key!r}] is {value!r}; store a positive number of seconds")
