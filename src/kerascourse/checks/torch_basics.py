"""Checks of lesson 09_torch_basics: tensors from numpy and back, shapes with channels first, batches from
a ``DataLoader``, autograd, and XOR with ``nn.Sequential``.

Answers are read as the same plain data in the notebook and at batch grading
(``kerascourse.checks.torch_values``): tensors as arrays in their own dtype, loaders as two epochs of
batches, modules as their module tree, a model's outputs from the probe calls in ``PROBE_CALLS``.
"""

import numpy as np
import torch

from kerascourse.checks import numeric_array, probes, require_number
from kerascourse.checks.answers import fail, require_defined
from kerascourse.checks.torch_answers import answer_data, itself, module_type, probed_tree, require_tensor

XOR_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
XOR_TARGETS = np.array([[0], [1], [1], [0]], dtype=np.float32)
V_START = np.array([1.0, -2.0, 3.0], dtype=np.float32)  # q4's v, and its learning rate
LEARNING_RATE = 0.1
LOSSES_FOR_ONE_LOGIT = {"BCEWithLogitsLoss": 0.0, "BCELoss": 0.5}  # loss -> the output that means "1"


PROBE_CALLS = {
    "xor_model": {
        "module": itself,  # its module tree (torch_values.describe)
        "outputs": ((torch.from_numpy(XOR_INPUTS),), {}),
    },
}


def channels_first(raw_images):
    """What ``pixels`` must hold: float32 in [0, 1], shape (N, 1, 28, 28)."""
    return raw_images.transpose(0, 3, 1, 2).astype(np.float32) / np.float32(255.0)


# --- q1: from numpy to torch and back ----------------------------------------------------


def require_images(images, raw_images):
    array = require_tensor(images, "images", "make it with torch.from_numpy(raw_images)")
    if array.dtype != raw_images.dtype:
        fail(f"images is {images.dtype}; torch.from_numpy keeps numpy's dtype, torch.uint8, so convert first "
             "and cast in the next step")
    if array.shape != raw_images.shape or not np.array_equal(array, raw_images):
        fail(f"images has shape {tuple(array.shape)} or other values than raw_images; torch.from_numpy(raw_images) "
             "keeps both")


def require_pixels(pixels, raw_images):
    array = require_tensor(pixels, "pixels", "start from images, the tensor, and cast it with .float()")
    expected = channels_first(raw_images)
    if array.dtype == np.float64:
        fail("pixels are torch.float64; PyTorch layers hold float32 weights, so cast with .float() "
             "(dividing the numpy array first gives float64)")
    if array.dtype != np.float32:
        fail(f"pixels are {pixels.dtype}; cast to float32 with .float() before dividing by 255 "
             "(whole-number division rounds every pixel down to 0 or 1)")
    if array.shape == raw_images.shape:
        fail(f"pixels has shape {tuple(array.shape)}, channels last as numpy stores them; PyTorch layers want "
             f"channels first, {expected.shape}: images.permute(0, 3, 1, 2)")
    if array.shape != expected.shape:
        fail(f"pixels has shape {tuple(array.shape)}; it should be {expected.shape}, the images with their "
             "channel axis moved second")
    if array.max() > 1.5:
        fail(f"pixels go up to {array.max():g}; divide by 255 so that they lie in [0, 1]")
    if not np.allclose(array, expected, atol=1e-6):
        fail("pixels hold other values than raw_images / 255 with the channel axis second; "
             "use images.permute(0, 3, 1, 2).float() / 255")


def require_back(back, pixels_array):
    require_defined(back, "back")
    if isinstance(back, torch.Tensor):
        fail("back is still a PyTorch tensor; turn pixels into a numpy array with pixels.numpy()")
    array = numeric_array(back)
    if not isinstance(back, np.ndarray) or array is None:
        fail(f"back is a {type(back).__name__}; make it with pixels.numpy()")
    if array.shape != pixels_array.shape or not np.allclose(array, pixels_array):
        fail(f"back has shape {array.shape} or other values than pixels; pixels.numpy() gives the same numbers")


def require_device(device):
    require_defined(device, "device")
    name = str(device) if isinstance(device, (str, torch.device)) else None
    how = 'torch.device("cuda" if torch.cuda.is_available() else "cpu")'
    if name not in {"cpu", "cuda", "cuda:0"}:
        fail(f"device is {device!r}; make it with {how}")
    if name.startswith("cuda") and not torch.cuda.is_available():
        fail(f"device is {name}, but this machine has no GPU, so tensors cannot move there; choose with {how}")
    if name == "cpu" and torch.cuda.is_available():
        fail(f"device is cpu although this machine has a GPU; choose with {how}")


# --- q2: shapes, slices, reductions, broadcasting ----------------------------------------


def require_flat(flat, pixels_array):
    array = require_tensor(flat, "flat", "reshape pixels with pixels.reshape(len(pixels), -1)")
    n = len(pixels_array)
    if array.shape != (n, 784):
        fail(f"flat has shape {tuple(array.shape)}; the batch dimension comes first, one row of 784 pixels per "
             "image: pixels.reshape(len(pixels), -1)")
    if not np.allclose(array, pixels_array.reshape(n, 784)):
        fail("flat holds the pixels in another order; reshape pixels itself, pixels.reshape(len(pixels), -1)")


def require_crops(crops, pixels_array):
    array = require_tensor(crops, "crops", "slice pixels[:, :, 4:24, 4:24]")
    expected = pixels_array[:, :, 4:24, 4:24]
    if array.shape != expected.shape:
        fail(f"crops has shape {tuple(array.shape)}; the centre 20 x 20 of every image is {expected.shape}. "
             "In PyTorch the channel axis comes second, so slice pixels[:, :, 4:24, 4:24]")
    if not np.allclose(array, expected):
        fail("crops holds other pixels than rows and columns 4 to 23; slices stop before their end: 4:24")


def require_mean_image(mean_image, pixels_array):
    array = require_tensor(mean_image, "mean_image", "average with pixels.mean(dim=0)")
    expected = pixels_array.mean(axis=0)
    if array.size == 1:
        fail("mean_image is one number, the mean of every pixel of every image; average over the batch "
             "dimension only, pixels.mean(dim=0)")
    if array.shape != expected.shape:
        fail(f"mean_image has shape {tuple(array.shape)}; the mean over the batch dimension (dim=0) has shape "
             f"{expected.shape}")
    if not np.allclose(array, expected, atol=1e-5):
        fail("mean_image holds other values than the mean over the batch; use pixels.mean(dim=0)")


def require_centred(centred, flat_array):
    array = require_tensor(centred, "centred", "subtract flat.mean(dim=0) from flat")
    if array.shape != flat_array.shape:
        fail(f"centred has shape {tuple(array.shape)}; subtracting a (784,) mean from flat keeps its shape "
             f"{flat_array.shape}")
    if np.allclose(array, flat_array - flat_array.mean(axis=1, keepdims=True), atol=1e-5):
        fail("centred subtracts each image's own mean; subtract each pixel's mean over the batch, "
             "flat.mean(dim=0), which broadcasts over the rows")
    if not np.allclose(array, flat_array - flat_array.mean(axis=0), atol=1e-5):
        fail("centred is not flat minus the mean of each pixel over the batch; use flat - flat.mean(dim=0)")


# --- q3: batches with DataLoader -------------------------------------------------------


def require_labels(labels, raw_labels):
    array = require_tensor(labels, "labels", "make it with torch.from_numpy(raw_labels).long()")
    if array.dtype != np.int64:
        fail(f"labels are {labels.dtype}; nn.CrossEntropyLoss wants class indices as int64 (torch.long), so "
             "convert with torch.from_numpy(raw_labels).long()")
    if array.shape != raw_labels.shape or not np.array_equal(array, raw_labels):
        fail("labels hold other values than raw_labels; convert them with torch.from_numpy(raw_labels).long()")


def loader_epochs(loader, name, pixels_array, labels_array):
    """Each epoch of ``loader`` as ``(indices of the examples in order, batch sizes)``, the examples found
    by their pixels among ``pixels_array``; fails on a batch that is not (float32 images, int64 labels)."""
    data = answer_data(loader, name)
    if not isinstance(loader, (probes.Exported, torch.utils.data.DataLoader)) or not isinstance(data, dict) \
            or not isinstance(data.get("dataset"), list):
        fail(f"{name} is a {type(loader).__name__}; make it with DataLoader(dataset, batch_size=...)")
    index = {_key(image): number for number, image in enumerate(pixels_array)}
    epochs = []
    for batches in data["dataset"]:
        order, sizes = [], []
        for batch in batches:
            if not isinstance(batch, list) or len(batch) != 2:
                fail(f"each batch of {name} should be an (images, labels) pair; build the loader over "
                     "TensorDataset(images, labels)")
            images, labels = (np.asarray(part) for part in batch)
            if images.dtype != np.float32 or images.shape[1:] != pixels_array.shape[1:]:
                fail(f"{name} yields images of shape {images.shape[1:]} and dtype {images.dtype}; it should yield "
                     f"the float32 pixels, {pixels_array.shape[1:]} each")
            if labels.dtype != np.int64:
                fail(f"{name} yields {labels.dtype} labels; nn.CrossEntropyLoss wants int64 class indices, so "
                     "build the TensorDataset from labels made with .long()")
            found = [index.get(_key(image)) for image in images]
            if None in found:
                fail(f"{name} yields images that are not in its split; build its TensorDataset from the slices "
                     "of pixels and labels the question names")
            if not np.array_equal(labels_array[found], labels):
                fail(f"{name} pairs images with other labels; give TensorDataset the images and labels of the "
                     "same examples, in the same order")
            order += found
            sizes.append(len(found))
        epochs.append((order, sizes))
    return epochs


def _key(image):
    return np.rint(np.asarray(image, dtype=np.float64) * 255).astype(np.uint8).tobytes()


def require_train_loader(train_loader, pixels_array, labels_array, batch_size):
    """Every training example once per epoch, in batches of ``batch_size``, in a new order each epoch."""
    epochs = loader_epochs(train_loader, "train_loader", pixels_array, labels_array)
    n = len(pixels_array)
    for order, sizes in epochs:
        if sorted(order) != list(range(n)):
            fail(f"an epoch of train_loader holds {len(order)} examples, {len(set(order))} different; it should "
                 f"hold each of the {n} training examples once (leave drop_last=False)")
        if sizes[:-1] != [batch_size] * (len(sizes) - 1) or sizes[-1] > batch_size:
            fail(f"train_loader's batches hold {sorted(set(sizes))} examples; pass batch_size=BATCH_SIZE "
                 f"({batch_size})")
    (first, _), (second, _) = epochs[0], epochs[1]
    if first == list(range(n)):
        fail("train_loader gives the training examples in their stored order; pass shuffle=True, so that "
             "each batch mixes digits and each epoch sees a new order")
    if first == second:
        fail("train_loader gives the same order every epoch: it was shuffled once; pass shuffle=True to the "
             "DataLoader, which draws a new order each epoch")


def require_test_loader(test_loader, pixels_array, labels_array):
    """Every test example once, in the stored order."""
    epochs = loader_epochs(test_loader, "test_loader", pixels_array, labels_array)
    n = len(pixels_array)
    for order, _ in epochs:
        if sorted(order) != list(range(n)):
            fail(f"an epoch of test_loader holds {len(order)} examples; it should hold each of the {n} test "
                 "examples once (leave drop_last=False: every test example counts)")
        if order != list(range(n)):
            fail("test_loader shuffles the test set; evaluation reads every example once and needs no new "
                 "order, and a fixed order keeps predictions next to their examples: leave shuffle=False")


def require_batches_per_epoch(batches_per_epoch, n, batch_size):
    value = require_number(batches_per_epoch, "batches_per_epoch", "math.ceil(n_train / BATCH_SIZE)")
    expected = -(-n // batch_size)
    if value == n // batch_size and n % batch_size:
        fail(f"batches_per_epoch is {value:g}: the last, smaller batch of {n % batch_size} examples counts too; "
             "round the division up with math.ceil (or use len(train_loader))")
    if value != expected:
        fail(f"batches_per_epoch is {value:g}; {n} examples in batches of {batch_size} make {expected}")


def require_batches_with_drop_last(batches_with_drop_last, n, batch_size):
    value = require_number(batches_with_drop_last, "batches_with_drop_last", "n_train // BATCH_SIZE")
    if value == -(-n // batch_size) and n % batch_size:
        fail(f"batches_with_drop_last is {value:g}; drop_last=True drops the last, smaller batch, so round "
             "the division down (n_train // BATCH_SIZE)")
    if value != n // batch_size:
        fail(f"batches_with_drop_last is {value:g}; {n} examples make {n // batch_size} full batches of "
             f"{batch_size}")


# --- q4: autograd --------------------------------------------------------------------


def require_dy_dw(dy_dw):
    if dy_dw is None:
        fail("dy_dw is None: w.grad stays None until y.backward() runs, and only for a w made with "
             "requires_grad=True")
    value = require_number(dy_dw, "dy_dw", "y.backward(), then w.grad")
    if not np.isclose(value, 8.0):
        fail(f"dy_dw is {value:g}; the derivative of w**3 - 4*w at w = 2 is 8: make y from w, call y.backward() "
             "once, then read w.grad")


def require_by_hand(dy_dw_by_hand):
    value = require_number(dy_dw_by_hand, "dy_dw_by_hand", "3 * 2.0**2 - 4")
    if np.isclose(value, 12.0):
        fail("dy_dw_by_hand is 12, the derivative of w**3 alone; the term -4*w adds a derivative of -4")
    if not np.isclose(value, 8.0):
        fail(f"dy_dw_by_hand is {value:g}; by the power rule the derivative of w**3 - 4*w is 3*w**2 - 4, "
             "which is 8 at w = 2")


def require_accumulated(grad_once, grad_twice):
    once = _vector(grad_once, "grad_once", "v.grad.clone() after the first backward()")
    twice = _vector(grad_twice, "grad_twice", "v.grad.clone() after the second backward()")
    if np.allclose(once, 4 * V_START):
        fail("grad_once is 4v, the gradient after both backward passes: v.grad is updated in place, so store "
             "a copy, v.grad.clone()")
    if not np.allclose(once, 2 * V_START):
        fail(f"grad_once is {once.tolist()}; the gradient of (v ** 2).sum() is 2v, {(2 * V_START).tolist()}")
    if np.allclose(twice, 2 * V_START):
        fail("grad_twice equals one gradient, 2v: stored as v.grad itself, it changed with the later zero_() and "
             "backward(), so store v.grad.clone(); and call backward() a second time before zeroing, which "
             "adds 2v to v.grad")
    if not np.allclose(twice, 4 * V_START):
        fail(f"grad_twice is {twice.tolist()}; after two backward passes v.grad holds 2v + 2v = "
             f"{(4 * V_START).tolist()}")


def require_stepped(stepped):
    values = _vector(stepped, "stepped", "v after the update, v.detach().clone()")
    for passes in (2, 3):  # the zeroing forgotten, with or without the third backward
        if np.allclose(values, V_START - LEARNING_RATE * 2 * passes * V_START):
            fail(f"stepped moved v by 0.1 x {2 * passes}v: v.grad still held earlier backward passes; zero it "
                 "(v.grad.zero_()) before the last backward, as optimizer.zero_grad() does in a training loop")
    if np.allclose(values, V_START):
        fail("stepped equals the starting v; update v in place inside torch.no_grad(): v -= 0.1 * v.grad")
    if not np.allclose(values, V_START - LEARNING_RATE * 2 * V_START):
        fail(f"stepped is {values.tolist()}; one step of 0.1 against the gradient 2v gives 0.8v, "
             f"{(0.8 * V_START).tolist()}")


def _vector(value, name, how):
    if value is None:
        fail(f"{name} is None; v.grad is None until backward() runs on a loss made from v")
    require_defined(value, name)
    array = numeric_array(value)
    if array is None or array.shape != V_START.shape:
        fail(f"{name} should be three numbers, one per element of v; store {how}")
    return array.astype(np.float64)


# --- q5: XOR ---------------------------------------------------------------------------


def loss_name(loss_fn):
    """The class name of a loss module, live or exported."""
    return module_type(loss_fn, "loss_fn", "make it with nn.BCEWithLogitsLoss()")


def require_loss_fn(loss_fn):
    name = loss_name(loss_fn)
    if name == "CrossEntropyLoss":
        fail("loss_fn is CrossEntropyLoss, which wants one output per class; with one output per example, "
             "a logit for 'is 1', use nn.BCEWithLogitsLoss()")
    if name not in LOSSES_FOR_ONE_LOGIT:
        fail(f"loss_fn is {name}; a yes/no target learned from one logit per example needs "
             "nn.BCEWithLogitsLoss()")


def xor_outputs(xor_model):
    """The model's four outputs on the XOR inputs, from its probe call."""
    outputs = probes.call(xor_model, "xor_model", "outputs", PROBE_CALLS["xor_model"])
    array = numeric_array(outputs)
    if array is None or array.size != 4:
        fail(f"xor_model returns {getattr(array, 'shape', type(outputs).__name__)} for the 4 XOR inputs; it "
             "should return one number per input, shape (4, 1): end with nn.Linear(hidden, 1)")
    return array.reshape(4).astype(np.float64)


def require_xor_model(xor_model, loss_fn, *, min_accuracy):
    probed_tree(xor_model, "xor_model", PROBE_CALLS["xor_model"], "build it with nn.Sequential(...)")
    outputs = xor_outputs(xor_model)
    scale = max(1.0, float(np.abs(outputs).max()))
    if abs(outputs[0] + outputs[3] - outputs[1] - outputs[2]) < 1e-4 * scale:
        fail("xor_model computes a linear function of its inputs, and no linear function separates XOR; put "
             "a non-linear layer such as nn.ReLU() or nn.Tanh() between its Linear layers")
    name = loss_name(loss_fn)
    if name == "BCEWithLogitsLoss" and outputs.min() > 0 and outputs.max() < 1:
        fail("xor_model's outputs all lie between 0 and 1, as after a sigmoid, but BCEWithLogitsLoss applies "
             "the sigmoid itself and wants raw scores (logits): remove the final nn.Sigmoid()")
    threshold = LOSSES_FOR_ONE_LOGIT.get(name, 0.0)
    accuracy = xor_accuracy_of(outputs, threshold)
    if accuracy < min_accuracy:
        fail(f"xor_model gets {accuracy:.0%} of the XOR points right; train it until it gets {min_accuracy:.0%} "
             "(zero_grad, forward, loss, backward, step in every step of the loop)")


def xor_accuracy_of(outputs, threshold):
    return float(np.mean((outputs > threshold) == XOR_TARGETS.reshape(4).astype(bool)))


def require_xor_losses(xor_losses):
    require_defined(xor_losses, "xor_losses")
    if isinstance(xor_losses, torch.Tensor) or not isinstance(xor_losses, (list, tuple)):
        fail(f"xor_losses is a {type(xor_losses).__name__}; append loss.item() to a list at every step")
    if any(isinstance(loss, torch.Tensor) for loss in xor_losses):
        fail("xor_losses holds tensors; append loss.item(), a Python number: a stored tensor keeps its graph")
    losses = numeric_array(xor_losses)
    if losses is None or losses.ndim != 1 or len(losses) < 10:
        fail("xor_losses should hold one number per training step (loss.item()), at least 10 of them")
    if not losses[-1] < 0.5 * losses[0]:
        fail(f"xor_losses goes from {losses[0]:.3f} to {losses[-1]:.3f}; it should fall: call "
             "optimizer.step() after loss.backward() in every step")


def require_reported_accuracy(xor_accuracy, xor_model, loss_fn):
    value = require_number(xor_accuracy, "xor_accuracy", "the share of the 4 points the model gets right")
    outputs = xor_outputs(xor_model)
    expected = xor_accuracy_of(outputs, LOSSES_FOR_ONE_LOGIT.get(loss_name(loss_fn), 0.0))
    if not np.isclose(value, expected):
        fail(f"xor_accuracy is {value:g}, but xor_model gets {expected:.0%} of the 4 points right; compute it "
             "from xor_model's outputs under torch.no_grad()")
