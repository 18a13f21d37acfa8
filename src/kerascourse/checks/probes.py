"""Answers that are functions, called on the grader's own inputs.

A check calls a student's function through ``call``, with a key into its lesson's table of probe
calls (``PROBE_CALLS`` in the lesson's checks module), and receives what the function returned as
plain data: numpy arrays, numbers, lists, dicts, and two epochs of batches for a ``tf.data``
pipeline or a PyTorch ``DataLoader`` (PyTorch objects: ``kerascourse.checks.torch_values``). In the
notebook (``otter check``, Gradescope) the function itself runs; at batch grading the sandboxed
notebook records every probe call once (``record``) and the judge replays the recording
(``Recording``), so no student code runs outside the sandbox. ``save`` and ``unpack`` carry the same
plain data, for a recording or an exported PyTorch object, as JSON and an ``.npz`` without pickle.
"""

import itertools
import json
import numbers
import sys
from pathlib import Path

import numpy as np
import tensorflow as tf

from kerascourse.checks.answers import CheckFailed, explain, fail, require_defined

DATASET_EPOCHS = 2  # epochs read from a tf.data pipeline or a DataLoader: enough to see it reshuffle
MAX_BATCHES = 1000  # per epoch; probe inputs are far smaller


def as_data(value):
    """``value`` as plain data; a type this module does not know becomes ``{"unsupported": name}``."""
    if is_torch(value):
        from kerascourse.checks import torch_values

        if torch_values.is_loader(value):
            return {"dataset": [_epoch(value) for _ in range(DATASET_EPOCHS)]}
        return torch_values.as_data(value)
    if isinstance(value, tf.data.Dataset):
        return {"dataset": [_epoch(value) for _ in range(DATASET_EPOCHS)]}
    if isinstance(value, (tf.Tensor, tf.Variable, np.ndarray, np.generic)):
        return np.asarray(value)
    if value is None or isinstance(value, (bool, str, numbers.Number)):
        return value
    if isinstance(value, (list, tuple)):
        return [as_data(item) for item in value]
    if isinstance(value, dict) and all(isinstance(key, str) for key in value):
        return {key: as_data(item) for key, item in value.items()}
    return {"unsupported": type(value).__name__}


def is_torch(value):
    """Whether ``value`` is a PyTorch object (``torch_values.is_torch``), without importing torch where the
    notebook did not: a PyTorch object exists only where torch was imported."""
    if "torch" not in sys.modules:
        return False
    from kerascourse.checks import torch_values

    return torch_values.is_torch(value)


def _epoch(dataset):
    return [as_data(element) for element in itertools.islice(dataset, MAX_BATCHES)]


def call(fn, name, key, calls):
    """What ``fn`` returns for the probe call ``calls[key]``, as plain data, or a failure that names what
    the call raised. A probe call is ``(args, kwargs)``, or a procedure that takes ``fn`` and returns data
    (a train-step factory is called on a probe model and its step run on a probe batch)."""
    if isinstance(fn, Recording):
        return fn.replay(key)
    require_defined(fn, name)
    if not callable(fn):
        fail(f"{name} is a {type(fn).__name__}; define it as a function with def {name}(...)")
    probe = calls[key]
    if callable(probe):
        run, called = (lambda: probe(fn)), f"{name}, on the grader's probe,"
    else:
        args, kwargs = probe
        run, called = (lambda: fn(*args, **kwargs)), f"{name}({_signature(args, kwargs)})"
    try:
        return as_data(run())
    except CheckFailed:
        raise
    except Exception as error:  # noqa: BLE001 - the student's code may raise anything
        fail(f"{called} failed: {explain(error)}")


def _signature(args, kwargs):
    shown = [_short(arg) for arg in args] + [f"{key}={_short(value)}" for key, value in kwargs.items()]
    return ", ".join(shown)


def _short(value):
    if isinstance(value, (np.ndarray, tf.Tensor)):
        return f"<{np.asarray(value).dtype} array of shape {tuple(value.shape)}>"
    return repr(value)


# --- recording in the sandbox, replaying in the judge ------------------------------------


def record(fn, name, calls, stem):
    """Run every probe call of ``fn`` and save the results (``save``)."""
    results = {}
    for key in calls:
        try:
            results[key] = {"result": call(fn, name, key, calls)}
        except CheckFailed as failure:
            results[key] = {"error": str(failure)}
    return {"kind": "calls", **save(results, stem)}


def save(data, stem):
    """Write plain ``data`` as ``stem.json``, its arrays as ``stem.npz`` (no pickle); ``unpack`` reads it back."""
    arrays = []
    packed = _pack(data, arrays)
    np.savez(f"{stem}.npz", *arrays)
    Path(f"{stem}.json").write_text(json.dumps(packed))
    return {"file": f"{Path(stem).name}.json", "arrays": f"{Path(stem).name}.npz"}


def _pack(value, arrays):
    if isinstance(value, np.ndarray):
        arrays.append(value)
        return {"array": len(arrays) - 1}
    if isinstance(value, list):
        return {"list": [_pack(item, arrays) for item in value]}
    if isinstance(value, dict):
        return {"dict": {key: _pack(item, arrays) for key, item in value.items()}}
    return {"value": value}


def unpack(packed, arrays):
    """The data ``save`` wrote, from its JSON document and its arrays in order."""
    (kind, content), = packed.items()
    if kind == "array":
        return arrays[int(content)]
    if kind == "list":
        return [unpack(item, arrays) for item in content]
    if kind == "dict":
        return {key: unpack(item, arrays) for key, item in content.items()}
    return content


class Recording:
    """A function's recorded probe calls, replayed for ``call`` at batch grading."""

    def __init__(self, results):
        self.results = results

    def replay(self, key):
        entry = self.results.get(key) if isinstance(self.results, dict) else None
        if not isinstance(entry, dict):
            fail(f"the probe call {key!r} was not recorded")
        if "error" in entry:
            raise CheckFailed(str(entry["error"]))
        return entry.get("result")


class Exported:
    """A PyTorch object that left the sandbox as plain data (``as_data``), at batch grading."""

    def __init__(self, data):
        self.data = data
