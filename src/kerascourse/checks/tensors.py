"""Checks for lesson 01 (tensors): dtypes and casting, shapes, slices, reductions and broadcasting,
a dense layer as ``x @ W + b``, ``tf.data`` pipelines and their classic bugs, and gradients."""

import math

import numpy as np
import tensorflow as tf

from kerascourse.checks import fail, numeric_array, probes, require_array, require_close, require_number

IMAGE_SHAPE = (28, 28, 1)
PIXELS = 784
# make_pipeline is called on images whose pixels all hold their own index, so that the grader can
# tell from any batch which examples it holds and in what order; their labels are index % 10.
PROBE_EXAMPLES = 50
PROBE_BATCH = 8


def probe_images(n=PROBE_EXAMPLES):
    """``n`` uint8 images of shape (2, 2, 1) whose pixels hold the image's index, and labels index % 10."""
    images = np.repeat(np.arange(n, dtype=np.uint8), 4).reshape(n, 2, 2, 1)
    return images, (np.arange(n) % 10).astype(np.int64)


PROBE_CALLS = {
    "make_pipeline": {
        "partial": ((*probe_images(), PROBE_BATCH), {}),
        "drop_remainder": ((*probe_images(), PROBE_BATCH), {"drop_remainder": True}),
    },
}


# --- q1: from numpy to tensors -----------------------------------------------------------


def require_tensor_of(images, raw_images):
    """``images`` holds ``raw_images`` unchanged: same shape, dtype and values."""
    array = require_array(images, "images", "convert raw_images with tf.convert_to_tensor(raw_images)")
    if array.shape != raw_images.shape:
        fail(f"images has shape {array.shape}; converting raw_images keeps its shape {raw_images.shape}")
    if array.dtype != raw_images.dtype:
        fail(f"images is {array.dtype}; tf.convert_to_tensor keeps raw_images' dtype, {raw_images.dtype}, "
             "so convert first and cast in the next step")
    if not np.array_equal(array, raw_images):
        fail("images holds other values than raw_images; convert it with tf.convert_to_tensor(raw_images)")


def require_rank(rank, shape):
    """``rank`` is the number of axes of an array of ``shape``."""
    value = require_number(rank, "rank", "images.ndim, or len(images.shape)")
    if value == len(shape) - 1:
        fail(f"rank is {value:g}, but images has {len(shape)} axes {tuple(shape)}: the batch axis counts too")
    if value != len(shape):
        fail(f"rank is {value:g}; images has shape {tuple(shape)}, so its rank (number of axes) is {len(shape)}")


def require_pixels(pixels, raw_images):
    """``pixels`` are ``raw_images`` as float32 in [0, 1]."""
    array = require_array(pixels, "pixels", "compute it with tf.cast(images, tf.float32) / 255.0")
    if array.shape != raw_images.shape:
        fail(f"pixels has shape {array.shape}; casting and scaling keep the shape {raw_images.shape}")
    if array.dtype != np.float32:
        hint = " (dividing a numpy array by 255.0 gives float64)" if array.dtype == np.float64 else ""
        fail(f"pixels is {array.dtype}; networks compute in float32, so cast with tf.cast(images, tf.float32), "
             f"then divide by 255.0{hint}")
    if array.max() > 1.0:
        fail(f"pixels go up to {array.max():g}; divide by 255.0 so that they lie in [0, 1]")
    if np.isin(array, (0.0, 1.0)).all():
        fail("pixels are all 0 or 1: the division happened on whole numbers and threw the fractions away; "
             "cast to float32 first, then divide by 255.0")
    require_close(array, raw_images.astype(np.float32) / 255.0, "pixels", 1e-6)


# --- q2: shapes, slices, reductions, broadcasting ----------------------------------------


def require_flat(flat, pixels):
    """``flat`` is one row of 784 pixels per image, in the images' order."""
    array = require_array(flat, "flat", "reshape pixels with tf.reshape(pixels, (-1, 784))")
    n = len(pixels)
    if array.shape == (PIXELS, n):
        fail(f"flat has shape {array.shape}: the batch axis comes first, one row per image; "
             "use tf.reshape(pixels, (-1, 784))")
    if array.shape != (n, PIXELS):
        fail(f"flat has shape {array.shape}; one row of 784 pixels per image gives ({n}, 784)")
    require_close(array, pixels.reshape(n, PIXELS), "flat", 1e-6)


def require_crops(crops, pixels):
    """``crops`` are the centre 20 x 20 pixels of every image."""
    array = require_array(crops, "crops", "slice pixels with pixels[:, 4:24, 4:24, :]")
    n = len(pixels)
    if array.shape[:1] != (n,):
        fail(f"crops has shape {array.shape}: the first slice cuts the batch axis; keep every image "
             "with ':' first, pixels[:, 4:24, 4:24, :]")
    if array.shape != (n, 20, 20, 1):
        fail(f"crops has shape {array.shape}; the centre 20 x 20 of each image gives ({n}, 20, 20, 1): "
             "rows and columns 4 to 23, pixels[:, 4:24, 4:24, :]")
    require_close(array, pixels[:, 4:24, 4:24, :], "crops", 1e-6)


def require_mean_image(mean_image, pixels):
    """``mean_image`` averages the images pixel by pixel (over the batch axis)."""
    array = require_array(mean_image, "mean_image", "average over the batch axis, tf.reduce_mean(pixels, axis=0)")
    if array.size == 1:
        fail("mean_image is one number, the mean of every pixel of every image; "
             "average over the batch axis only, axis=0")
    if array.shape != IMAGE_SHAPE:
        fail(f"mean_image has shape {array.shape}; averaging over the batch axis (axis=0) leaves one image, "
             f"{IMAGE_SHAPE}")
    require_close(array, pixels.mean(axis=0), "mean_image", 1e-5)


def require_centred(centred, flat):
    """``centred`` subtracts the mean of each pixel over the batch from ``flat`` (broadcasting)."""
    array = require_array(centred, "centred", "subtract the mean over the batch, flat - tf.reduce_mean(flat, axis=0)")
    if array.shape != flat.shape:
        fail(f"centred has shape {array.shape}; subtracting a (784,) mean from flat broadcasts to {flat.shape}")
    if np.allclose(array, flat - flat.mean(axis=1, keepdims=True), atol=1e-5):
        fail("centred subtracts each image's own mean; subtract the mean over the batch of each pixel, "
             "tf.reduce_mean(flat, axis=0)")
    if np.allclose(array, flat - flat.mean(), atol=1e-5):
        fail("centred subtracts one number, the mean of all pixels; subtract the mean over the batch of "
             "each pixel, tf.reduce_mean(flat, axis=0), a (784,) vector that broadcasts over the rows")
    require_close(array, flat - flat.mean(axis=0), "centred", 1e-5)


# --- q3: a dense layer by hand -----------------------------------------------------------


def _relu(x):
    return np.maximum(x, 0.0)


def require_dense_by_hand(by_hand, flat, kernel, bias):
    """``by_hand`` is ``relu(flat @ kernel + bias)``, what the Dense layer computes."""
    kernel = require_array(kernel, "W", "keep W = dense.kernel")
    bias = require_array(bias, "b", "keep b = dense.bias")
    array = require_array(by_hand, "by_hand", "compute tf.nn.relu(flat @ W + b)")
    expected = _relu(flat @ kernel + bias)
    if array.shape != expected.shape:
        fail(f"by_hand has shape {array.shape}; a batch of {len(flat)} rows times W {kernel.shape} gives "
             f"{expected.shape}: flat @ W, with the batch first")
    if np.allclose(array, flat @ kernel + bias, atol=1e-4) and (expected != flat @ kernel + bias).any():
        fail("by_hand has negative values, but the layer applies ReLU to its outputs; "
             "wrap the product with tf.nn.relu(flat @ W + b)")
    if np.allclose(array, _relu(flat @ kernel), atol=1e-4):
        fail("by_hand leaves out the bias; the layer computes flat @ W + b before its activation")
    require_close(array, expected, "by_hand", 1e-4)


def require_param_count(n_params, kernel, bias):
    """``n_params`` counts the kernel's and the bias's numbers."""
    kernel, bias = require_array(kernel, "W", "keep W = dense.kernel"), require_array(bias, "b", "keep b = dense.bias")
    count = require_number(n_params, "n_params", "W.shape[0] * W.shape[1] + b.shape[0]")
    if count == kernel.size:
        fail(f"n_params is {count:g}, the kernel alone; add the bias, one number per unit ({bias.size})")
    if count == sum(kernel.shape) + bias.size or count == sum(kernel.shape):
        fail(f"n_params is {count:g}; the kernel holds one weight per input and unit, "
             f"{kernel.shape[0]} x {kernel.shape[1]}, then add one bias per unit")
    if count != kernel.size + bias.size:
        fail(f"n_params is {count:g}; count W's numbers ({kernel.shape[0]} x {kernel.shape[1]}) plus b's ({bias.size})")


# --- q4: tf.data pipelines ---------------------------------------------------------------


def pipeline_epochs(make_pipeline, key):
    """The epochs ``make_pipeline`` yields on the probe images, each a list of (indices, labels) per
    batch, after checking that the elements are (images, labels) batches of float32 in [0, 1]."""
    result = probes.call(make_pipeline, "make_pipeline", key, PROBE_CALLS["make_pipeline"])
    if not isinstance(result, dict) or "dataset" not in result:
        kind = result.get("unsupported") if isinstance(result, dict) else type(result).__name__
        fail(f"make_pipeline returns a {kind}; return the tf.data.Dataset you built")
    epochs = []
    for batches in result["dataset"]:
        epoch = []
        for element in batches:
            if not isinstance(element, list) or len(element) != 2:
                fail("each element of the pipeline should be an (images, labels) pair; "
                     "build it with tf.data.Dataset.from_tensor_slices((images, labels))")
            images, labels = (np.asarray(part) for part in element)
            if images.ndim != 4:
                fail(f"a batch of images has shape {images.shape}; batch the dataset with .batch(batch_size) "
                     "so that each element holds a batch of (2, 2, 1) images")
            if images.dtype != np.float32 or images.max() > 1.0:
                fail(f"the pipeline yields {images.dtype} pixels up to {images.max():g}; map a function that "
                     "casts to float32 and divides by 255.0 over the batches")
            indices = np.rint(images[:, 0, 0, 0] * 255.0).astype(int)
            epoch.append((indices, labels.reshape(-1)))
        epochs.append(epoch)
    return epochs


def require_pipeline_batches(make_pipeline):
    """Batches of ``batch_size``, the last one partial unless ``drop_remainder`` asks otherwise."""
    full, rest = divmod(PROBE_EXAMPLES, PROBE_BATCH)
    for key, wanted in (("partial", [PROBE_BATCH] * full + [rest]), ("drop_remainder", [PROBE_BATCH] * full)):
        # shuffling after batching may move the partial batch; require_pipeline_shuffled names that
        sizes = sorted((len(indices) for indices, _ in pipeline_epochs(make_pipeline, key)[0]), reverse=True)
        if sizes == wanted:
            continue
        call = f"make_pipeline(images, labels, {PROBE_BATCH}" + (", drop_remainder=True)" if key != "partial" else ")")
        if key == "partial" and sizes == wanted[:-1]:
            fail(f"{call} drops the last, partial batch of {rest}; keep it (drop_remainder=False is the default) "
                 "so that every example is used each epoch")
        if key == "drop_remainder" and sizes == wanted + [rest]:
            fail(f"{call} keeps the last, partial batch; pass drop_remainder to .batch(batch_size, "
                 "drop_remainder=drop_remainder)")
        fail(f"{call} yields batches of {sizes}; {PROBE_EXAMPLES} examples in batches of {PROBE_BATCH} "
             f"give {wanted}")


def require_pipeline_shuffled(make_pipeline):
    """Every example once per epoch with its own label, shuffled before batching, anew each epoch."""
    epochs = pipeline_epochs(make_pipeline, "partial")
    orders = []
    for epoch in epochs:
        order = np.concatenate([indices for indices, _ in epoch])
        labels = np.concatenate([labels for _, labels in epoch])
        if len(set(order.tolist())) == len(order) < PROBE_EXAMPLES:
            fail(f"an epoch of the pipeline holds {len(order)} of the {PROBE_EXAMPLES} examples; keep the last, "
                 "partial batch unless drop_remainder=True asks to drop it")
        if sorted(order.tolist()) != list(range(PROBE_EXAMPLES)):
            fail("an epoch of the pipeline does not hold every example exactly once; "
                 "shuffle, batch and map the dataset made by from_tensor_slices, without repeat or take")
        if not np.array_equal(labels, order % 10):
            fail("the labels no longer match their images; shuffle images and labels together, "
                 "in one dataset made by from_tensor_slices((images, labels))")
        orders.append(order)
    first = orders[0]
    if np.array_equal(first, np.arange(PROBE_EXAMPLES)):
        fail("the pipeline keeps the examples in their original order; shuffle with a buffer as large as the "
             "data, .shuffle(len(images)) (a buffer of 1 does not shuffle)")
    blocks = [set(indices.tolist()) for indices, _ in epochs[0]]
    if all(block == set(range(min(block), min(block) + len(block))) for block in blocks):
        fail("every batch holds neighbouring examples: shuffling after .batch() only reorders whole batches; "
             "call .shuffle() before .batch()")
    moved_forward = int(np.max(first - np.arange(PROBE_EXAMPLES)))  # how far an example came forward
    if moved_forward < PROBE_EXAMPLES // 4:
        fail(f"no example moves more than {moved_forward} places: the shuffle buffer is too small to mix the "
             "data; use a buffer as large as the data, .shuffle(len(images))")
    if all(np.array_equal(order, first) for order in orders[1:]):
        fail("every epoch has the same order; let the dataset reshuffle each epoch "
             "(reshuffle_each_iteration=True, the default)")


def require_batches_per_epoch(batches_per_epoch, n_examples, batch_size):
    """The batches in one epoch, the last partial one included."""
    count = require_number(batches_per_epoch, "batches_per_epoch", "math.ceil(len(raw_images) / BATCH_SIZE)")
    wanted = math.ceil(n_examples / batch_size)
    if count == n_examples // batch_size and count != wanted:
        fail(f"batches_per_epoch is {count:g}, which counts only the full batches; the last {n_examples % batch_size} "
             "examples make one more, partial batch: math.ceil(n / batch_size)")
    if count != wanted:
        fail(f"batches_per_epoch is {count:g}; {n_examples} examples in batches of {batch_size} make {wanted} batches")


# --- q5: variables and gradients ---------------------------------------------------------

W_START = 2.0
V_START = (1.0, -2.0, 3.0)


def derivative(w):
    """d/dw of w**3 - 4 w."""
    return 3 * w**2 - 4


def require_tape_gradient(w, dy_dw):
    """``dy_dw`` is the tape's derivative of ``w**3 - 4 w`` at ``w = 2``; a None names why the tape saw nothing."""
    start = require_number(w, "w", f"tf.Variable({W_START})")
    if start != W_START:
        fail(f"w is {start:g}; start from w = tf.Variable({W_START})")
    if dy_dw is None:
        _require_floats(w, "w", f"tf.Variable({W_START})")
        if not isinstance(w, tf.Variable):
            fail("dy_dw is None: a tape follows only tf.Variable objects (and tensors it is told to watch); "
                 "make w a tf.Variable, or call tape.watch(w) inside the with block")
        fail("dy_dw is None: the tape recorded no computation from w; compute y inside the "
             "`with tf.GradientTape() as tape:` block, then call tape.gradient(y, w)")
    gradient = require_number(dy_dw, "dy_dw", "tape.gradient(y, w)")
    if abs(gradient - derivative(W_START)) > 1e-4:
        fail(f"dy_dw is {gradient:g}, but y = w**3 - 4 * w has the derivative {derivative(W_START):g} at w = 2; "
             "record y = w**3 - 4 * w on the tape and take tape.gradient(y, w)")


def _require_floats(variable, name, how):
    """A tape takes no gradient of an integer variable: name that when it is why a gradient is None."""
    array = numeric_array(variable)
    if array is not None and np.issubdtype(array.dtype, np.integer):
        fail(f"{name} holds integers ({array.dtype}), and a tape takes no gradient with respect to integers; write "
             f"its numbers with a decimal point, {how}")


def require_derivative_by_hand(by_hand):
    """``dy_dw_by_hand`` is ``3 w**2 - 4`` at ``w = 2``."""
    value = require_number(by_hand, "dy_dw_by_hand", "3 * 2.0**2 - 4")
    if value == 3 * W_START**2:
        fail(f"dy_dw_by_hand is {value:g}: the derivative of w**3 is 3 w**2, and the derivative of -4 w adds -4")
    if value == W_START**3 - 4 * W_START:
        fail(f"dy_dw_by_hand is {value:g}, the value of y at w = 2; give its derivative, 3 w**2 - 4, at w = 2")
    if abs(value - derivative(W_START)) > 1e-6:
        fail(f"dy_dw_by_hand is {value:g}; the derivative of w**3 - 4 w is 3 w**2 - 4, which at w = 2 is "
             f"{derivative(W_START):g}")


def require_vector_gradient(v, grad_v):
    """``grad_v`` is the gradient of ``sum(v**2)``, ``2 v``, one partial derivative per element."""
    start = require_array(v, "v", f"make it tf.Variable({list(V_START)})").reshape(-1)
    if not np.allclose(start, V_START):
        fail(f"v is {start.tolist()}; start from v = tf.Variable({list(V_START)})")
    if grad_v is None:
        _require_floats(v, "v", f"tf.Variable({list(V_START)})")
        fail("grad_v is None: make v a tf.Variable and compute loss inside a new `with tf.GradientTape() as "
             "tape:` block")
    gradient = require_array(grad_v, "grad_v", "take tape.gradient(loss, v)").reshape(-1)
    expected = 2 * np.asarray(V_START)
    if gradient.shape == expected.shape and np.allclose(gradient, expected / len(V_START), atol=1e-5):
        fail("grad_v is 2 v / 3, the gradient of a mean; the loss is the sum, tf.reduce_sum(v ** 2)")
    if gradient.shape != expected.shape:
        fail(f"grad_v has {gradient.size} values; the gradient has one partial derivative per element of v (3)")
    require_close(gradient, expected, "grad_v", 1e-5)
