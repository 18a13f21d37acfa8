"""Lesson 08's checks: each passes a valid answer and names the fix for each known mistake."""

import keras
import numpy as np
import pytest
from failing import fails_with
from keras import layers

from kerascourse.checks import transfer as tc
from kerascourse.course import pretrained

PHOTOS = np.random.default_rng(0).integers(0, 256, size=(2, 60, 90, 3)).astype(np.uint8)


@pytest.fixture(scope="module")
def imagenet_stand_in():
    """A small model with ResNet50's interface: 224 x 224 x 3 pixels in, 1,000 probabilities out."""
    keras.utils.set_random_seed(0)
    inputs = keras.Input((224, 224, 3))
    x = layers.Conv2D(4, 7, strides=8, activation="relu")(inputs)
    x = layers.GlobalAveragePooling2D()(x)
    model = keras.Model(inputs, layers.Dense(1000, activation="softmax")(x))
    pretrained.install_class_index()
    return model


def predict(model, pixels):
    return model.predict(pixels, verbose=0)


def test_photo_predictions_must_come_from_preprocessed_224_pixel_photos(imagenet_stand_in):
    model = imagenet_stand_in
    batch = tc.resized_photos(PHOTOS)
    right = predict(model, keras.applications.resnet50.preprocess_input(batch.copy()))
    tc.require_imagenet_classifier(model)
    tc.require_preprocessed_predictions(model, PHOTOS, right)
    fails_with("predictions for raw pixels", tc.require_preprocessed_predictions, model, PHOTOS, predict(model, batch))
    scaled = predict(model, keras.applications.resnet50.preprocess_input(batch / 255.0))
    fails_with("drop the division", tc.require_preprocessed_predictions, model, PHOTOS, scaled)
    fails_with("one row of 1000 per photo", tc.require_preprocessed_predictions, model, PHOTOS, right[:1])
    fails_with("(224, 224, 3)", tc.require_imagenet_classifier, keras.applications.ResNet50(
        include_top=False, weights=None, input_shape=(32, 32, 3)))


def test_top5_is_decode_predictions_output_in_order(imagenet_stand_in):
    probs = predict(imagenet_stand_in, keras.applications.resnet50.preprocess_input(tc.resized_photos(PHOTOS)))
    top5 = keras.applications.resnet50.decode_predictions(probs, top=5)
    tc.require_top5_format(top5, 2)
    tc.require_decoded(probs, top5)
    as_json = [[list(label) for label in labels] for labels in top5]  # what the batch grader hands back
    tc.require_decoded(probs, as_json)
    fails_with("ask decode_predictions for top=5", tc.require_top5_format,
               keras.applications.resnet50.decode_predictions(probs, top=3), 2)
    fails_with("one list per photo (2)", tc.require_top5_format, top5[:1], 2)
    fails_with("not sorted", tc.require_top5_format, [labels[::-1] for labels in top5], 2)
    renamed = [[("n0", "another", label[2]) for label in labels] for labels in top5]
    fails_with("without reordering it", tc.require_decoded, probs, renamed)


def test_decoding_needs_no_class_index_installed_beforehand(imagenet_stand_in, monkeypatch, tmp_path):
    """The judge runs outside the notebook, in a home where the notebook never installed the class names."""
    from keras.src.backend import config

    monkeypatch.setattr(config, "_KERAS_DIR", str(tmp_path))
    probs = predict(imagenet_stand_in, keras.applications.resnet50.preprocess_input(tc.resized_photos(PHOTOS)))
    wrong = [[("n0", "another", 0.0)] * 5 for _ in range(2)]
    fails_with("without reordering it", tc.require_decoded, probs, wrong)  # decoded offline, then compared
    assert (tmp_path / "models" / "imagenet_class_index.json").exists()


def classifier(base, *, augment=True, preprocess="resnet", training=False, pool=True, dropout=True, flip=False):
    inputs = keras.Input((32, 32, 3))
    x = layers.RandomTranslation(0.1, 0.1)(inputs) if augment else inputs
    x = layers.RandomFlip("horizontal")(x) if flip else x
    if preprocess == "resnet":
        x = keras.applications.resnet50.preprocess_input(x)
    elif preprocess == "rescale":
        x = layers.Rescaling(1 / 255)(x)
    x = base(x, training=False) if training is False else base(x)
    x = layers.GlobalAveragePooling2D()(x) if pool else layers.Flatten()(x)
    if dropout:
        x = layers.Dropout(0.2)(x)
    return keras.Model(inputs, layers.Dense(5, activation="softmax")(x))


@pytest.fixture(scope="module")
def weights():
    return pretrained.base_weights("grading")


def test_transfer_model_structure_names_each_missing_step(weights):
    base = pretrained.base_model(weights, "grading")
    assert tc.require_transfer_model(classifier(base), 5) is base
    fails_with("feeds raw pixels", tc.require_transfer_model, classifier(base, preprocess=None), 5)
    fails_with("rescales pixels to [0, 1]", tc.require_transfer_model, classifier(base, preprocess="rescale"), 5)
    fails_with("base(x, training=False)", tc.require_transfer_model, classifier(base, training=None), 5)
    fails_with("has no augmentation", tc.require_transfer_model, classifier(base, augment=False), 5)
    fails_with("a mirrored digit is another shape", tc.require_transfer_model, classifier(base, flip=True), 5)
    fails_with("GlobalAveragePooling2D", tc.require_transfer_model, classifier(base, pool=False), 5)
    fails_with("layers.Dropout(0.2)", tc.require_transfer_model, classifier(base, dropout=False), 5)
    fails_with("(5,)", tc.require_transfer_model, classifier(base), 10)
    plain = keras.Sequential([keras.Input((32, 32, 3)), layers.Flatten(), layers.Dense(5, activation="softmax")])
    fails_with("holds 0 convolutional bases", tc.require_transfer_model, plain, 5)


def unfreeze_top(base, top="block3", batchnorm=False, everything=False):
    base.trainable = True
    for layer in base.layers:
        normalizes = isinstance(layer, layers.BatchNormalization)
        layer.trainable = everything or (layer.name.startswith(top) and (batchnorm or not normalizes))
    return base


def test_which_layers_train_and_which_keep_their_weights(weights):
    base = pretrained.base_model(weights, "grading")
    base.trainable = False
    tc.require_lower_layers_pretrained(base)
    stem = base.get_layer("stem_conv")
    stem.kernel.assign(stem.kernel + 0.01)
    fails_with("no longer holds the pre-trained weights", tc.require_lower_layers_pretrained, base)
    fails_with("trains; set base.trainable = True", tc.require_top_block_unfrozen, base, "block3")

    base = unfreeze_top(pretrained.base_model(weights, "grading"))
    tc.require_top_block_unfrozen(base, "block3")
    tc.require_lower_layers_pretrained(base)  # unfrozen layers may have changed; frozen ones did not
    fails_with("keep every BatchNormalization frozen", tc.require_top_block_unfrozen,
               unfreeze_top(pretrained.base_model(weights, "grading"), batchnorm=True), "block3")
    fails_with("unfreeze only the layers whose name starts with 'block3'", tc.require_top_block_unfrozen,
               unfreeze_top(pretrained.base_model(weights, "grading"), everything=True), "block3")

    fails_with("call compile() again before fit", tc.require_top_block_trained, base, "block3")
    kernel = base.get_layer("block3_2_conv").kernel
    kernel.assign(kernel * 1.01)
    tc.require_top_block_trained(base, "block3")


def test_fine_tuning_learning_rate_must_be_far_below_feature_extractions(weights):
    model = classifier(pretrained.base_model(weights, "grading"))
    fails_with("is not compiled", tc.require_gentle_learning_rate, model, 3e-3, min_ratio=10)
    model.compile(optimizer=keras.optimizers.Adam(3e-3), loss="sparse_categorical_crossentropy")
    fails_with("LEARNING_RATE / 100", tc.require_gentle_learning_rate, model, 3e-3, min_ratio=10)
    model.compile(optimizer=keras.optimizers.Adam(3e-5), loss="sparse_categorical_crossentropy")
    tc.require_gentle_learning_rate(model, 3e-3, min_ratio=10)


def test_scratch_model_starts_from_random_weights_and_trains_every_layer(weights):
    keras.utils.set_random_seed(1)
    tc.require_fresh_start(classifier(pretrained.base_model(None, "grading")))
    fails_with("starts from the pre-trained weights", tc.require_fresh_start,
               classifier(pretrained.base_model(weights, "grading")))
    frozen = pretrained.base_model(None, "grading")
    frozen.trainable = False
    fails_with("every layer must learn", tc.require_fresh_start, classifier(frozen))


def test_scratch_model_learns_its_normalisation_statistics():
    images = np.random.default_rng(0).uniform(0, 255, (8, 32, 32, 3)).astype("float32")
    labels = np.arange(8) % 5
    for frozen in (False, True):  # a student who copies Question 3's freezing of every BatchNormalization
        keras.utils.set_random_seed(1)
        base = pretrained.base_model(None, "grading")
        for layer in base.layers:
            layer.trainable = not (frozen and isinstance(layer, layers.BatchNormalization))
        model = classifier(base, training=None)
        fails_with("never ran in training mode", tc.require_normalisation_trained, model)  # not trained yet
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(images, labels, epochs=1, batch_size=4, verbose=0)
        if frozen:
            fails_with("leave its BatchNormalization layers trainable", tc.require_normalisation_trained, model)
        else:
            tc.require_normalisation_trained(model)


BAR = {"grading": 0.8, "full": 0.9}  # the shape of 08's accuracy bars


class Oracle(keras.Model):
    """A stand-in for a trained classifier: it predicts the given labels for the validation images, which
    the checks pass in order, in batches."""

    def __init__(self, labels):
        super().__init__()
        self.labels, self.seen = labels, 0

    def call(self, inputs):
        count = inputs.shape[0]
        rows = np.eye(5)[np.take(self.labels, range(self.seen, self.seen + count), mode="wrap")]
        self.seen = (self.seen + count) % len(self.labels)
        return keras.ops.convert_to_tensor(rows)


def test_reported_accuracies_are_measured_again_and_histories_counted():
    _, labels = tc.validation_arrays()
    assert len(labels) == 500
    wrong = labels.copy()
    wrong[:50] = (wrong[:50] + 1) % 5
    assert tc.require_reported(Oracle(wrong), 0.9, "m", "acc") == pytest.approx(0.9)
    fails_with("report m.evaluate(val_ds)[1]", tc.require_reported, Oracle(wrong), 0.95, "m", "acc")
    fails_with("store a single number", tc.require_reported, Oracle(wrong), "0.9", "m", "acc")

    history = keras.callbacks.History()
    history.history = {"loss": [1.0] * 15, "val_loss": [1.0] * 15, "val_accuracy": [0.5] * 14 + [0.85]}
    tc.require_feature_accuracy(history, 0.85, 15, minimum=BAR)
    fails_with("evaluate after fit", tc.require_feature_accuracy, history, 0.9, 15, minimum=BAR)
    fails_with("has 15 epochs; train for epochs=EPOCHS (20)", tc.require_feature_accuracy, history, 0.85, 20,
               minimum=BAR)
    history.history["val_accuracy"][-1] = 0.6
    fails_with("below the question's bar of 0.8", tc.require_feature_accuracy, history, 0.6, 15, minimum=BAR)
    del history.history["val_loss"]
    fails_with("validation_data=val_ds", tc.require_trained, history, 15, "h", "EPOCHS")


def test_counts_and_consequences(weights):
    model = classifier(pretrained.base_model(weights, "grading"))
    base = tc.base_of(model, "m")
    tc.require_head_params(128 * 5 + 5, base, 5)
    fails_with("one bias per class", tc.require_head_params, 128 * 5, base, 5)
    fails_with("plus NUM_CLASSES biases", tc.require_head_params, model.count_params(), base, 5)
    tc.require_fine_tune_params(sum(int(np.prod(w.shape)) for w in model.trainable_weights), model)
    fails_with("count only transfer_model.trainable_weights", tc.require_fine_tune_params, model.count_params(), model)
    fails_with("add up its trainable_weights", tc.require_fine_tune_params, 7, model)
    right = {"no_recompile": "B", "high_learning_rate": "A", "bn_training": "c", "no_preprocessing": "D"}
    tc.require_consequences(right)
    fails_with("why['no_recompile'] is 'A'", tc.require_consequences, right | {"no_recompile": "A"})
    fails_with("must be a dict with the keys", tc.require_consequences, {"no_recompile": "B"})
    assert tc.require_consequence_letters(right)["bn_training"] == "C"
    fails_with("why['bn_training'] is 'E'; answer with one of the letters", tc.require_consequence_letters,
               right | {"bn_training": "E"})


def test_bases_are_compared_with_what_their_architectures_hold():
    facts = tc.imagenet_bases()
    # VGG16: 13 convolutions in five blocks; ResNet50: 49 on the main path and 4 projection shortcuts.
    assert facts["vgg16"] == {"params": 14_714_688, "conv_layers": 13, "layers": 19}
    assert facts["resnet50"] == {"params": 23_587_712, "conv_layers": 53, "layers": 175}
    params = {key: facts[key]["params"] for key in facts}
    tc.require_base_params(params)
    tc.require_base_params({key: np.int64(count) for key, count in params.items()})
    fails_with("counts ResNet50's ImageNet classifier too", tc.require_base_params, params | {"resnet50": 25_636_712})
    fails_with("not the number of parameters of VGG16's base", tc.require_base_params, params | {"vgg16": 14_000_000})
    fails_with('keys "vgg16" and "resnet50"', tc.require_base_params, [params["vgg16"], params["resnet50"]])
    fails_with("base_params['vgg16'] is 'many'", tc.require_base_params, params | {"vgg16": "many"})
    tc.require_conv_layers({"vgg16": 13, "resnet50": 53.0})
    fails_with("counts every layer of VGG16's base", tc.require_conv_layers, {"vgg16": 19, "resnet50": 53})
    fails_with("how many of ResNet50's layers are layers.Conv2D", tc.require_conv_layers, {"vgg16": 13, "resnet50": 50})


def test_preprocessing_cost_and_choice_are_judged_against_the_measurements():
    tc.require_same_preprocessing(True)
    tc.require_same_preprocessing(np.bool_(True))
    fails_with("resnet50.preprocess_input give the same numbers", tc.require_same_preprocessing, False)
    fails_with("store True or False", tc.require_same_preprocessing, "yes")
    tc.require_forward_seconds({"vgg16": 0.8, "resnet50": 0.3})
    tc.require_forward_seconds({"vgg16": 0.3, "resnet50": 0.4})  # eager calls can reverse the order
    fails_with("forward_seconds['resnet50'] is 'fast'", tc.require_forward_seconds, {"vgg16": 0.3, "resnet50": "fast"})
    fails_with("zero or less", tc.require_forward_seconds, {"vgg16": 0.3, "resnet50": 0.0})
    tc.require_choice(" b ")
    fails_with("fewer parameters is not less computation", tc.require_choice, "A")
    fails_with("expects the same preprocessing", tc.require_choice, "C")
    fails_with("differ in size", tc.require_choice, "d")
    fails_with("one of the letters A, B, C, D", tc.require_choice, "ResNet50")
