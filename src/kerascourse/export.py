"""Move a notebook's answers out of the student's process as data, and back in for the judge.

The exporter runs as the last cell of the sandboxed notebook and writes only data: models as
``.keras`` files, layers and losses as Keras configs (JSON), arrays and variables as ``.npy`` without
pickle, plain values as JSON (dicts with number or tuple keys as lists of pairs, arrays inside lists
and dicts as nested lists), and functions as the recorded results of the probe calls the tests make
(a train step's runs, or ``kerascourse.probes`` calls listed in a lesson's checks module).
The judge, in a process that never ran student code, loads them with Keras's safe mode.
"""

import importlib
import json
import numbers
import zipfile
from pathlib import Path
from types import SimpleNamespace

import keras
import numpy as np
import tensorflow as tf

from kerascourse import checks, probes

MANIFEST = "manifest.json"
TRAIN_STEP_RUNS = (1, 3)  # the step counts the train-step checks use


def export(namespace, names, probe_kinds, directory):
    """Write ``names`` from ``namespace`` into ``directory`` with a manifest of what each became."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    manifest = {}
    for name in names:
        if name not in namespace:
            manifest[name] = {"kind": "missing"}
            continue
        try:
            manifest[name] = _export_value(namespace[name], probe_kinds.get(name), directory / name)
        except Exception as error:  # noqa: BLE001 - student objects may fail in any way
            manifest[name] = {"kind": "unexportable", "reason": f"{type(error).__name__}: {error}"}
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=1))


def _export_value(value, probe, stem):
    if probe == "train_step":
        return _record_train_step(value, stem)
    if probe is not None:  # the lesson checks module whose PROBE_CALLS list the calls
        module = importlib.import_module(f"kerascourse.{probe}")
        return probes.record(value, stem.name, module.PROBE_CALLS[stem.name], stem)
    if isinstance(value, keras.Model):
        value.save(f"{stem}.keras")
        return {"kind": "model", "file": f"{stem.name}.keras"}
    if isinstance(value, keras.callbacks.History):
        return {"kind": "history", "value": _plain(value.history)}
    if isinstance(value, keras.layers.Layer) or (
        isinstance(value, (list, tuple)) and value and all(isinstance(v, keras.layers.Layer) for v in value)
    ):
        layers = value if isinstance(value, (list, tuple)) else [value]
        return {"kind": "layers", "single": not isinstance(value, (list, tuple)),
                "value": [keras.saving.serialize_keras_object(layer) for layer in layers]}
    is_keras_function = callable(value) and getattr(value, "__module__", "").startswith("keras")
    if isinstance(value, keras.losses.Loss) or is_keras_function:
        return {"kind": "keras_object", "value": keras.saving.serialize_keras_object(value)}
    if isinstance(value, (tf.Variable, keras.Variable)):
        np.save(f"{stem}.npy", keras.ops.convert_to_numpy(value), allow_pickle=False)
        return {"kind": "variable", "file": f"{stem.name}.npy"}
    if isinstance(value, (np.ndarray, tf.Tensor)) and not isinstance(value, np.generic):
        np.save(f"{stem}.npy", np.asarray(value), allow_pickle=False)
        return {"kind": "array", "file": f"{stem.name}.npy"}
    if isinstance(value, dict) and not all(isinstance(key, str) for key in value):
        return {"kind": "mapping", "items": [[_plain(key), _plain(item)] for key, item in value.items()]}
    return {"kind": "json", "value": _plain(value)}


def _plain(value):
    """``value`` as JSON-able Python data; raises TypeError for anything else."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, (tf.Tensor, tf.Variable, keras.Variable)):
        value = keras.ops.convert_to_numpy(value)
    if isinstance(value, np.ndarray):
        return _plain(value.item() if value.ndim == 0 else value.tolist())
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {k: _plain(v) for k, v in value.items()}
    raise TypeError(f"a {type(value).__name__} cannot be graded outside the notebook")


def _record_train_step(make_train_step, stem):
    runs = {}
    for steps in TRAIN_STEP_RUNS:
        try:
            model, step, losses = checks.run_train_step(make_train_step, "make_train_step", steps)
        except checks.CheckFailed as failure:
            runs[steps] = {"error": str(failure)}
            continue
        probe = next(layer for layer in model.layers if isinstance(layer, checks.TrainingFlagProbe))
        np.savez(f"{stem}-{steps}.npz", *[keras.ops.convert_to_numpy(v) for v in model.trainable_variables])
        runs[steps] = {
            "file": f"{stem.name}-{steps}.npz",
            "losses": losses,
            "compiled": isinstance(step, tf.types.experimental.PolymorphicFunction),
            "training": True in probe.seen,
        }
    return {"kind": "train_step", "runs": runs}


# --- loading, in the judge's process -----------------------------------------------------


def load(directory):
    """The exported names as Python values; missing or unexportable ones become ``checks.Unavailable``."""
    directory = Path(directory)
    manifest = json.loads((directory / MANIFEST).read_text())
    return {name: _load_value(entry, directory) for name, entry in manifest.items()}


def _load_value(entry, directory):
    kind = entry["kind"]
    try:
        if kind == "missing":
            return checks.Unavailable(checks.NOT_DEFINED)
        if kind == "unexportable":
            return checks.Unavailable(entry["reason"])
        if kind == "model":
            path = _inside(directory, entry["file"])
            with zipfile.ZipFile(path) as archive:
                _require_keras_config(json.loads(archive.read("config.json")))
            return keras.saving.load_model(path, safe_mode=True)
        if kind == "history":
            return SimpleNamespace(history=entry["value"])
        if kind == "layers":
            layers = [_deserialize(config) for config in entry["value"]]
            return layers[0] if entry["single"] else layers
        if kind == "keras_object":
            return _deserialize(entry["value"])
        if kind == "array":
            return np.load(_inside(directory, entry["file"]), allow_pickle=False)
        if kind == "variable":
            return tf.Variable(np.load(_inside(directory, entry["file"]), allow_pickle=False))
        if kind == "calls":
            return probes.Recording.load(_inside(directory, entry["file"]), _inside(directory, entry["arrays"]))
        if kind == "json":
            return entry["value"]
        if kind == "mapping":
            return {tuple(key) if isinstance(key, list) else key: item for key, item in entry["items"]}
        if kind == "train_step":
            return TrainStepRecording(entry["runs"], directory)
    except Exception as error:  # noqa: BLE001 - a value that will not load is graded as missing
        return checks.Unavailable(f"it could not be rebuilt outside the notebook ({type(error).__name__}: {error})")
    return checks.Unavailable(f"unknown export kind {kind!r}")


def _inside(directory, name):
    """``directory / name``, refusing names that lead elsewhere."""
    path = (directory / name).resolve()
    if path.parent != directory.resolve() or not path.is_file():
        raise ValueError(f"{name!r} is not a file of the export")
    return path


def _require_keras_config(config):
    """Refuse serialized objects from outside Keras: deserializing imports the module a config names."""
    if isinstance(config, dict):
        module = config.get("module")
        if module is not None and not (
            str(module).startswith("keras") or (module == "builtins" and config.get("class_name") == "function")
        ):
            raise ValueError(f"a serialized object from module {module!r}; only Keras objects are graded")
        for value in config.values():
            _require_keras_config(value)
    elif isinstance(config, list):
        for value in config:
            _require_keras_config(value)


def _deserialize(config):
    _require_keras_config(config)
    return keras.saving.deserialize_keras_object(config, safe_mode=True)


class TrainStepRecording:
    """What a ``make_train_step`` did on the probe calls, replayed for ``checks.run_train_step``."""

    def __init__(self, runs, directory):
        self.runs = {int(steps): run for steps, run in runs.items()}
        self.directory = directory

    def replay(self, steps):
        """``(model, step, losses)`` as the recorded run left them, or raise its recorded failure."""
        run = self.runs.get(steps)
        if run is None:
            checks.fail(f"make_train_step was not recorded for {steps} steps")
        if "error" in run:
            raise checks.CheckFailed(run["error"])
        model, _, _ = checks.probe_classifier()
        with np.load(_inside(self.directory, run["file"]), allow_pickle=False) as weights:
            recorded = [weights[f"arr_{index}"] for index in range(len(weights.files))]
        if [w.shape for w in recorded] != [tuple(v.shape) for v in model.trainable_variables]:
            checks.fail("make_train_step changed the shapes of the model's weights")
        for variable, value in zip(model.trainable_variables, recorded, strict=True):
            variable.assign(value)
        probe = next(layer for layer in model.layers if isinstance(layer, checks.TrainingFlagProbe))
        probe.seen.append(bool(run["training"]))
        step = tf.function(_no_op) if run["compiled"] else _no_op
        return model, step, [float(loss) for loss in run["losses"]]


def _no_op(x, y):
    return 0.0
