"""Checks for lesson 08: ResNet50 on photos, feature extraction, fine-tuning, the same network
trained from scratch, and VGG16 measured beside ResNet50. They read public Keras APIs (layers,
``trainable``, ``get_config()``, the optimizer's learning rate, weights) and measure accuracies again on
the grader's copy of the data."""

import functools

import keras
import numpy as np

from kerascourse import checks
from kerascourse.checks import fail
from kerascourse.course import data, pretrained

IMAGENET_SHAPE = (224, 224, 3)
IMAGENET_CLASSES = 1000
TOP = 5
DATASET = "tf_flowers"
SPLITS = {"grading": ("train", "test"), "full": ("train[:80%]", "train[80%:]")}
PREDICTION_TOLERANCE = 0.01
ACCURACY_TOLERANCE = 0.005
PRETRAINED_CORRELATION = 0.5  # a base trained from scratch keeps no trace of the pre-trained first kernel
PREPROCESS = "keras.applications.resnet50.preprocess_input"


# --- Question 1: ResNet50 on photos ----------------------------------------------------------


def resized_photos(photos):
    """The photos as one float32 batch at ResNet50's 224 x 224."""
    batch = np.asarray(photos, dtype="float32")
    return keras.ops.convert_to_numpy(keras.ops.image.resize(batch, IMAGENET_SHAPE[:2]))


def require_imagenet_classifier(resnet, name="resnet"):
    checks.require_input_shape(resnet, IMAGENET_SHAPE, name)
    checks.require_output_shape(resnet, (IMAGENET_CLASSES,), name)


def require_top5_format(top5, n_photos, name="top5"):
    """One list per photo of five ``(class id, name, probability)`` triples, most likely first."""
    checks.require_defined(top5, name)
    if not isinstance(top5, (list, tuple)) or len(top5) != n_photos:
        fail(f"{name} must hold one list per photo ({n_photos}); assign it decode_predictions(probs, top=5)")
    for index, labels in enumerate(top5):
        if not isinstance(labels, (list, tuple)) or len(labels) != TOP:
            count = len(labels) if isinstance(labels, (list, tuple)) else "no"
            fail(f"{name}[{index}] holds {count} labels; ask decode_predictions for top=5")
        scores = [float(label[2]) for label in labels]
        if scores != sorted(scores, reverse=True):
            fail(f"{name}[{index}] is not sorted from most to least likely; use decode_predictions' order")


def require_preprocessed_predictions(resnet, photos, probs, name="probs"):
    """``probs`` are ``resnet``'s outputs for the photos resized to 224 x 224 and preprocessed for ResNet50."""
    resnet = checks.require_model(resnet, "resnet")
    array = checks.numeric_array(probs)
    if array is None or array.shape != (len(photos), IMAGENET_CLASSES):
        shape = None if array is None else array.shape
        fail(f"{name} has shape {shape}; keep resnet.predict(...)'s output, one row of {IMAGENET_CLASSES} per photo")
    batch = resized_photos(photos)
    inputs = {
        "right": keras.applications.resnet50.preprocess_input(batch.copy()),
        "raw": batch,
        "scaled": keras.applications.resnet50.preprocess_input(batch / 255.0),
    }
    gaps = {kind: float(np.max(np.abs(checks.outputs(resnet, x) - array))) for kind, x in inputs.items()}
    closest = min(gaps, key=gaps.get)
    if closest == "right" and gaps["right"] <= PREDICTION_TOLERANCE:
        return
    if closest == "raw":
        fail(f"{name} are resnet's predictions for raw pixels; pass the resized photos through {PREPROCESS} first")
    if closest == "scaled":
        fail(f"{name} come from pixels divided by 255; {PREPROCESS} expects pixels in [0, 255], so drop the division")
    fail(f"{name} are not resnet's predictions for the photos resized to 224 x 224 and passed through {PREPROCESS}")


def require_decoded(probs, top5, name="top5"):
    """``top5`` names the five most likely classes of each photo, as ``decode_predictions`` does."""
    pretrained.install_class_index()  # the grader's own copy: it may run where the notebook did not
    expected = keras.applications.resnet50.decode_predictions(np.asarray(probs, dtype="float32"), top=TOP)
    for index, (mine, theirs) in enumerate(zip(top5, expected, strict=True)):
        names = [str(label[1]) for label in mine]
        wanted = [label[1] for label in theirs]
        if names != wanted:
            fail(
                f"{name}[{index}] starts with {names[0]!r} but the most likely class in probs[{index}] is "
                f"{wanted[0]!r}; assign decode_predictions(probs, top=5) without reordering it"
            )


# --- the transfer model ----------------------------------------------------------------------


def base_of(model, name):
    """The pre-trained base nested in ``model``: the inner model that holds convolutions."""
    model = checks.require_model(model, name)
    bases = [
        layer for layer in checks.model_layers(model)
        if isinstance(layer, keras.Model) and any(isinstance(inner, keras.layers.Conv2D) for inner in layer.layers)
    ]
    if len(bases) != 1:
        fail(
            f"{name} holds {len(bases)} convolutional bases; call the one base as a layer, "
            "x = base(x, training=False), between the preprocessing and the head"
        )
    return bases[0]


def _base_call(model, base):
    """The functional-graph entry of ``base``'s call inside ``model`` (its arguments and keyword arguments)."""
    for entry in model.get_config().get("layers", []):
        if entry.get("name") == base.name and entry.get("inbound_nodes"):
            return entry["inbound_nodes"][0]
    fail(f"the model calls no layer named {base.name!r}; build it with the functional API: x = base(x, training=False)")


def require_inference_mode(model, base, name):
    """The base is called with ``training=False``, so its BatchNormalization keeps the pre-trained statistics."""
    if _base_call(model, base).get("kwargs", {}).get("training") is not False:
        fail(
            f"{name} calls its base without training=False, so BatchNormalization would update its statistics "
            "from the new data while fine-tuning; call x = base(x, training=False)"
        )


def _input_to_base(model, base):
    """A model from ``model``'s input to the tensor it feeds ``base``."""
    try:
        history = _base_call(model, base)["args"][0]["config"]["keras_history"]
        producers = {operation.name: operation for operation in model.operations}
        return keras.Model(model.inputs, producers[history[0]].output)
    except (KeyError, IndexError, TypeError, ValueError):
        fail(f"the grader cannot follow the images into {base.name}; "
             "call it on one tensor: x = base(x, training=False)")


def require_preprocessing(model, base, name):
    """What reaches the base is ResNet50's preprocessing of the pixels, done inside the model."""
    pixels = np.random.default_rng(0).uniform(0, 255, size=(2, *model.input_shape[1:])).astype("float32")
    fed = checks.outputs(_input_to_base(model, base), pixels)
    expected = keras.applications.resnet50.preprocess_input(pixels.copy())
    if np.allclose(fed, expected, atol=1e-3):
        return
    if np.allclose(fed, pixels, atol=1e-3):
        fail(f"{name} feeds raw pixels to its base; put x = {PREPROCESS}(x) between the augmentation and the base")
    if np.allclose(fed, pixels / 255.0, atol=1e-4):
        fail(f"{name} rescales pixels to [0, 1], which is not what the base was trained on; use {PREPROCESS}(x)")
    fail(f"{name} changes the pixels on their way to the base in some other way than {PREPROCESS}; use exactly that")


def require_augmentation_first(model, base, name):
    layers = checks.model_layers(model)
    augmenting = [
        index for index, layer in enumerate(layers)
        if any(type(inner).__name__.startswith("Random") for inner in [layer, *_inner_layers(layer)])
    ]
    if not augmenting:
        fail(f"{name} has no augmentation; put layers.RandomTranslation and layers.RandomZoom before the base")
    if any(isinstance(inner, keras.layers.RandomFlip) for index in augmenting
           for inner in [layers[index], *_inner_layers(layers[index])]):
        fail(f"{name} flips its images, and a mirrored digit is another shape; augment with "
             "layers.RandomTranslation and layers.RandomZoom only")
    if min(augmenting) > layers.index(base):
        fail(f"{name} augments after the base; augment the images first, before preprocessing and the base")


def _inner_layers(layer):
    return checks.all_layers(layer) if isinstance(layer, keras.Model) else []


def require_head(model, base, num_classes, name):
    """Global pooling and dropout after the base, and a softmax over the new classes."""
    checks.require_output_shape(model, (num_classes,), name)
    checks.require_output_activation(model, "multiclass", name)
    after = checks.model_layers(model)[checks.model_layers(model).index(base) + 1:]
    pooling = (keras.layers.GlobalAveragePooling2D, keras.layers.GlobalMaxPooling2D)
    if not any(isinstance(layer, pooling) for layer in after):
        fail(f"{name} does not pool the base's feature maps; add layers.GlobalAveragePooling2D() after the base")
    if not any(isinstance(layer, keras.layers.Dropout) for layer in after):
        fail(f"{name}'s head has no Dropout; add layers.Dropout(0.2) before the Dense layer, few labels overfit fast")


def require_transfer_model(model, num_classes, name="transfer_model"):
    model = checks.require_model(model, name)
    base = base_of(model, name)
    require_augmentation_first(model, base, name)
    require_preprocessing(model, base, name)
    require_inference_mode(model, base, name)
    require_head(model, base, num_classes, name)
    return base


# --- weights: what was frozen, what was trained ----------------------------------------------


def _pretrained_base(size=None):
    return pretrained.base_model(pretrained.base_weights(size), size)


def _weights_by_path(model):
    return {weight.path: keras.ops.convert_to_numpy(weight) for weight in model.weights}


def require_lower_layers_pretrained(base, name="base", size=None):
    """Every frozen layer still holds the pre-trained weights: feature extraction trained only the head."""
    original = _weights_by_path(_pretrained_base(size))
    for layer in base.layers:
        if layer.trainable or not layer.weights:
            continue
        for weight in layer.weights:
            if not np.allclose(keras.ops.convert_to_numpy(weight), original[weight.path], atol=1e-6):
                fail(
                    f"{name}'s layer {layer.name} no longer holds the pre-trained weights; set base.trainable = False "
                    "before compiling, so that feature extraction trains only the new head"
                )


def require_top_block_unfrozen(base, top_block, name="base"):
    """Only the non-BatchNormalization layers of the top block are trainable."""
    trainable_top = False
    for layer in base.layers:
        if not layer.weights:
            continue
        if isinstance(layer, keras.layers.BatchNormalization):
            if layer.trainable:
                fail(
                    f"{name}'s BatchNormalization layer {layer.name} is trainable; keep every BatchNormalization "
                    "frozen (layer.trainable = False): its statistics fit the pre-training data, not a few batches"
                )
        elif layer.name.startswith(top_block):
            trainable_top = trainable_top or layer.trainable
        elif layer.trainable:
            fail(
                f"{name}'s layer {layer.name} is trainable, but it is below {top_block!r}; unfreeze only the layers "
                f"whose name starts with {top_block!r}, so few labels cannot overwrite the general early features"
            )
    if not trainable_top:
        fail(f"no layer of {name}'s top block {top_block!r} trains; set base.trainable = True, then freeze the rest")


def require_gentle_learning_rate(model, feature_rate, name="transfer_model", *, min_ratio):
    """Fine-tuning steps at least ``min_ratio`` times more gently than feature extraction."""
    checks.require_compiled(model, name)
    rate = float(keras.ops.convert_to_numpy(model.optimizer.learning_rate))
    if rate > feature_rate / min_ratio:
        fail(
            f"{name} fine-tunes with learning rate {rate:g}, close to feature extraction's {feature_rate:g} (the "
            f"question wants at least {min_ratio:g} times smaller); recompile with LEARNING_RATE / 100 so that "
            "small steps adjust the pre-trained weights"
        )


def require_top_block_trained(base, top_block, name="base", size=None):
    """Fine-tuning changed the top block: the model was compiled again after ``trainable`` changed."""
    original = _weights_by_path(_pretrained_base(size))
    for weight in base.trainable_weights:
        changed = not np.allclose(keras.ops.convert_to_numpy(weight), original[weight.path])
        if weight.path.startswith(top_block) and changed:
            return
    fail(
        f"fine-tuning left {name}'s {top_block!r} weights as they were pre-trained; after changing trainable, "
        "call compile() again before fit, or Keras keeps training only the head"
    )


def require_fresh_start(model, name="scratch_model", size=None):
    """The base of ``model`` was built with ``weights=None`` and trained whole."""
    base = base_of(model, name)
    first = next(layer for layer in checks.all_layers(base) if isinstance(layer, keras.layers.Conv2D))
    reference = _pretrained_base(size).get_layer(first.name).kernel
    mine, theirs = (keras.ops.convert_to_numpy(kernel).ravel() for kernel in (first.kernel, reference))
    if abs(np.corrcoef(mine, theirs)[0, 1]) > PRETRAINED_CORRELATION:
        fail(f"{name}'s base starts from the pre-trained weights; build it with pretrained.base_model(None)")
    frozen = [
        layer.name for layer in base.layers
        if layer.weights and not layer.trainable and not isinstance(layer, keras.layers.BatchNormalization)
    ]
    if frozen:
        fail(f"{name}'s base has frozen layers ({frozen[0]}, ...); from scratch every layer must learn: unfreeze it")


def require_normalisation_trained(model, name="scratch_model"):
    """A base with random weights learned its BatchNormalization statistics: they left their initial 0 and 1."""
    base = base_of(model, name)
    norms = [layer for layer in checks.all_layers(base) if isinstance(layer, keras.layers.BatchNormalization)]
    untouched = [
        layer.name for layer in norms
        if np.allclose(keras.ops.convert_to_numpy(layer.moving_mean), 0.0)
        and np.allclose(keras.ops.convert_to_numpy(layer.moving_variance), 1.0)
    ]
    if norms and len(untouched) == len(norms):
        fail(
            f"{name}'s BatchNormalization layers still hold their initial statistics (mean 0, variance 1), so they "
            "never ran in training mode; a base with random weights has no statistics worth keeping: leave its "
            "BatchNormalization layers trainable and build it with build_classifier(pretrained.base_model(None), "
            "training=None) so that fit trains them"
        )


# --- accuracies ------------------------------------------------------------------------------


def validation_arrays(size=None):
    """The validation images and labels the lesson measures accuracy on."""
    size = size or data.run_size()
    batches = data.load_images(DATASET, SPLITS[size][1], pretrained.image_size(size), batch_size=256, size=size)
    images, labels = zip(*((x.numpy(), y.numpy()) for x, y in batches), strict=True)
    return np.concatenate(images), np.concatenate(labels)


def require_trained(history, epochs, name, epochs_name):
    logs = checks.history_logs(history, name)
    ran = len(logs.get("loss", []))
    if ran != epochs:
        fail(f"{name} has {ran} epochs; train for epochs={epochs_name} ({epochs})")
    if "val_loss" not in logs:
        fail(f"{name} has no val_loss; pass validation_data=val_ds to fit")
    return checks.accuracy_log(logs, name, validation=True)


def require_reported(model, reported, name, reported_name, size=None):
    """``reported`` is the model's own validation accuracy; returns it."""
    number = checks.require_number(reported, reported_name, f"{name}.evaluate(val_ds)[1]")
    images, labels = validation_arrays(size)
    measured = checks.model_accuracy(model, images, labels)
    if abs(measured - number) > ACCURACY_TOLERANCE:
        fail(
            f"{reported_name} is {number:.3f} but {name} scores {measured:.3f} on val_ds; "
            f"report {name}.evaluate(val_ds)[1]"
        )
    return measured


def require_feature_accuracy(history, reported, epochs, name="feature_acc", *, minimum):
    """At the end of feature extraction the reported accuracy is the last validation accuracy, above the bar."""
    log = require_trained(history, epochs, "feature_history", "EPOCHS")
    number = checks.require_number(reported, name, "transfer_model.evaluate(val_ds)[1]")
    if abs(number - float(log[-1])) > ACCURACY_TOLERANCE:
        fail(f"{name} is {number:.3f}, but the last epoch's val_accuracy is {float(log[-1]):.3f}; evaluate after fit")
    checks.require_at_least(number, name, minimum=minimum, fix="the reference reaches more (see the lesson's README)")


# --- Question 5: why each step matters -------------------------------------------------------

CONSEQUENCES = {
    "no_recompile": "B",
    "high_learning_rate": "A",
    "bn_training": "C",
    "no_preprocessing": "D",
}
EXPLANATIONS = {
    "no_recompile": "trainable takes effect when the model is compiled, so without compile() fit trains the old set",
    "high_learning_rate": "big steps on every layer overwrite the pre-trained features in the first batches",
    "bn_training": "BatchNormalization in training mode swaps the pre-trained statistics for those of small batches",
    "no_preprocessing": "the base was trained on preprocessed pixels, so raw ones give it inputs it never saw",
}


def require_head_params(head_params, base, num_classes, name="head_params"):
    count = checks.require_number(head_params, name, "a whole number")
    channels = base.output_shape[-1]
    expected = channels * num_classes + num_classes
    if count == channels * num_classes:
        fail(f"{name} is {count:g}: the Dense layer also has one bias per class; add {num_classes}")
    if count != expected:
        fail(
            f"{name} is {count:g}; pooling and dropout have no weights, so only Dense(NUM_CLASSES) trains: "
            "base.output_shape[-1] inputs times NUM_CLASSES, plus NUM_CLASSES biases"
        )


def require_fine_tune_params(fine_tune_params, model, name="fine_tune_params"):
    count = checks.require_number(fine_tune_params, name, "a whole number")
    expected = sum(int(np.prod(weight.shape)) for weight in model.trainable_weights)
    if count == model.count_params():
        fail(f"{name} is every parameter of the model; count only transfer_model.trainable_weights")
    if count != expected:
        fail(f"{name} is {count:g}, but transfer_model trains {expected} numbers; add up its trainable_weights' sizes")


def require_letter(choice, name="choice"):
    """A multiple-choice answer: one of the letters A-D, in either case; returns it upper case."""
    checks.require_defined(choice, name)
    letter = str(choice).strip().upper()
    if letter not in {"A", "B", "C", "D"}:
        fail(f"{name} is {choice!r}; answer with one of the letters A, B, C, D")
    return letter


def require_consequence_letters(why, name="why"):
    """A dict with the keys of ``CONSEQUENCES``, each a letter; returns the letters upper case."""
    checks.require_defined(why, name)
    if not isinstance(why, dict) or set(why) != set(CONSEQUENCES):
        fail(f"{name} must be a dict with the keys {', '.join(sorted(CONSEQUENCES))}, each a letter A-D")
    return {key: require_letter(letter, f"{name}[{key!r}]") for key, letter in why.items()}


def require_consequences(why, name="why"):
    letters = require_consequence_letters(why, name)
    for key, letter in CONSEQUENCES.items():
        if letters[key] != letter:
            fail(f"{name}[{key!r}] is {why[key]!r}; think again: {EXPLANATIONS[key]}")


# --- Question 6: VGG16 beside ResNet50 -------------------------------------------------------

BASES = {"vgg16": "VGG16", "resnet50": "ResNet50"}  # the keys of the question's dicts, and the architectures
CHOICE = "B"
WRONG_CHOICES = {
    "A": "the VGG16 base has fewer parameters yet about four times ResNet50's multiplications per image, since its "
         "convolutions run at full resolution: fewer parameters is not less computation",
    "C": "same_preprocessing shows that VGG16 expects the same preprocessing as ResNet50",
    "D": "base_params shows that the two bases differ in size",
}


@functools.cache
def imagenet_bases():
    """``{key: {"params", "conv_layers", "layers"}}`` of VGG16's and ResNet50's bases (``include_top=False``,
    224 x 224), read from the architectures themselves."""
    facts = {}
    for key, architecture in BASES.items():
        base = getattr(keras.applications, architecture)(include_top=False, weights=None, input_shape=IMAGENET_SHAPE)
        conv = sum(isinstance(layer, keras.layers.Conv2D) for layer in base.layers)
        facts[key] = {"params": base.count_params(), "conv_layers": conv, "layers": len(base.layers)}
    return facts


def require_pair(value, name, what):
    """``{"vgg16": number, "resnet50": number}``, returned as floats."""
    checks.require_defined(value, name)
    if not isinstance(value, dict) or set(value) != set(BASES):
        fail(f'{name} must be a dict with the keys "vgg16" and "resnet50", each holding {what}')
    return {key: checks.require_number(value[key], f"{name}[{key!r}]", what) for key in BASES}


def require_base_params(base_params, name="base_params"):
    counts = require_pair(base_params, name, "a number of parameters")
    for key, architecture in BASES.items():
        expected = imagenet_bases()[key]["params"]
        if counts[key] > expected:
            fail(f"{name}[{key!r}] is {counts[key]:,.0f}, which counts {architecture}'s ImageNet classifier too; "
                 "count the base's, built with include_top=False, with count_params()")
        if counts[key] != expected:
            fail(f"{name}[{key!r}] is {counts[key]:,.0f}, not the number of parameters of {architecture}'s base; "
                 "use count_params() of the model built with include_top=False")


def require_conv_layers(conv_layers, name="conv_layers"):
    counts = require_pair(conv_layers, name, "a number of Conv2D layers")
    for key, architecture in BASES.items():
        facts = imagenet_bases()[key]
        if counts[key] == facts["layers"]:
            fail(f"{name}[{key!r}] counts every layer of {architecture}'s base, padding, pooling, normalisation and "
                 "activations too; count only the layers that are layers.Conv2D")
        if counts[key] != facts["conv_layers"]:
            fail(f"{name}[{key!r}] is {counts[key]:g}, not how many of {architecture}'s layers are layers.Conv2D; "
                 "count them with isinstance(layer, layers.Conv2D)")


def require_boolean(value, name, how):
    checks.require_defined(value, name)
    if not isinstance(value, (bool, np.bool_)):
        fail(f"{name} is {value!r}; store True or False ({how})")
    return bool(value)


def require_same_preprocessing(same_preprocessing, name="same_preprocessing"):
    same_preprocessing = require_boolean(same_preprocessing, name, "what comparing the two outputs gives")
    pixels = np.random.default_rng(0).uniform(0, 255, size=(2, 8, 8, 3)).astype("float32")
    same = np.allclose(
        keras.applications.vgg16.preprocess_input(pixels.copy()),
        keras.applications.resnet50.preprocess_input(pixels.copy()),
    )
    if same_preprocessing != same:
        verdict = "give the same numbers" if same else "give different numbers"
        fail(f"{name} is {same_preprocessing!r}, but vgg16.preprocess_input and resnet50.preprocess_input {verdict}; "
             "compare their outputs on two copies of batch with np.allclose instead of assuming")


def require_forward_seconds(forward_seconds, name="forward_seconds"):
    """Times are the student's machine's: the grader checks that they are times, not which is larger (on a
    2-core CPU VGG16's ``predict`` took about 1.8 times ResNet50's, and eager calls can reverse the order)."""
    seconds = require_pair(forward_seconds, name, "the seconds of one forward pass")
    if min(seconds.values()) <= 0:
        fail(f"{name} holds a time of zero or less; read time.perf_counter() before and after the call")


def require_choice(choice, name="choice"):
    letter = require_letter(choice, name)
    if letter != CHOICE:
        fail(f"{name} is {letter}, but {WRONG_CHOICES[letter]}")
