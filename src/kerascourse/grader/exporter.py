"""Move a notebook's answers out of the student's process as data (runs inside the sandbox).

The exporter runs as the last cell of the sandboxed notebook and writes only data: models as
``.keras`` files (a subclassed model or layer as its functional trace, with TensorFlow-function
activations swapped for their Keras twins: see ``kerascourse.checks.portable``), layers and losses
as Keras configs (JSON), arrays and variables as ``.npy`` without pickle, plain values as JSON (dicts
with number or tuple keys as lists of pairs, arrays inside lists and dicts as nested lists), and
functions as the recorded results of the probe calls the tests make (``kerascourse.checks.probes``:
the checks module that ``grading.yaml`` names lists them in ``PROBE_CALLS``). PyTorch objects leave
as the plain data the checks read (``kerascourse.checks.torch_values``): tensors as ``.npy``, devices
and dtypes as names, data loaders and module trees (``state_dict`` included) as JSON with an ``.npz``
of arrays; never through ``torch.save``, which pickles. The trusted side reads them back with
``loader``.
"""

import importlib
import json
import numbers
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from kerascourse.checks import portable, probes
from kerascourse.checks.answers import explain

MANIFEST = "manifest.json"


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
        except portable.NotPortable as problem:
            manifest[name] = {"kind": "unexportable", "reason": f"it cannot be graded: {problem}"}
        except Exception as error:  # noqa: BLE001 - student objects may fail in any way
            manifest[name] = {"kind": "unexportable", "reason": explain(error)}
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=1))


def _export_value(value, probe, stem):
    if probe is not None:  # the checks module whose PROBE_CALLS list the calls
        return probes.record(value, stem.name, importlib.import_module(probe).PROBE_CALLS[stem.name], stem)
    if probes.is_torch(value):
        return _export_torch(probes.as_data(value), stem)
    if isinstance(value, keras.layers.Layer):
        value = portable.with_keras_activations(portable.portable(value))
    elif isinstance(value, (list, tuple)):
        value = [portable.with_keras_activations(portable.portable(item)) if isinstance(item, keras.layers.Layer)
                 else item for item in value]
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


def _export_torch(data, stem):
    if isinstance(data, np.ndarray):
        np.save(f"{stem}.npy", data, allow_pickle=False)
        return {"kind": "array", "file": f"{stem.name}.npy", "torch": True}
    if isinstance(data, str):
        return {"kind": "json", "value": data}
    return {"kind": "torch", **probes.save(data, stem)}


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
