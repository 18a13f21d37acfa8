"""Read the answers a sandboxed notebook exported, on the trusted side, treating every file as hostile.

Nothing is unpickled and no student code is imported: models load with Keras's safe mode from configs
that name only Keras objects, arrays with ``allow_pickle=False`` (a PyTorch tensor becomes a tensor
again from its array: ``torch.load`` is never called), the rest as JSON. Before anything is
read, its size is checked against ``Limits``: the file itself, the members and decompressed sizes of a
``.keras`` or ``.npz`` archive, the size an ``.npy`` header declares, and every JSON document. A file
over a limit is refused at once, without reading its content, and the refusal is reported.
"""

import json
import math
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import keras
import numpy as np
import tensorflow as tf

from kerascourse.checks import probes
from kerascourse.checks.answers import NOT_DEFINED, Unavailable

MANIFEST = "manifest.json"
MB = 2**20


@dataclass(frozen=True)
class Limits:
    file_mb: float = 600  # any exported file, as it lies on disk
    json_mb: float = 16  # the manifest and each JSON document
    archive_members: int = 20_000  # entries in a .keras or .npz archive (a pipeline's batches are many arrays)
    archive_mb: float = 1024  # an archive's members, decompressed, together
    array_mb: float = 512  # one array, as its header declares it


LIMITS = Limits()


class TooLarge(ValueError):
    """An exported file is over the grader's limits; the message says which and by how much."""


@dataclass
class Export:
    env: dict  # name -> value for the tests (Unavailable where a name could not be read)
    refused: dict  # why -> the names whose files were refused by the limits for that reason


def load(directory, limits=LIMITS):
    """The exported names as Python values, and the refusals; raises ``TooLarge`` for an oversized manifest."""
    directory = Path(directory)
    manifest = _read_json(_inside(directory, MANIFEST, limits), limits)
    if not isinstance(manifest, dict):
        raise TooLarge("the export's manifest is not a mapping of names")
    env, refused = {}, {}
    for name, entry in manifest.items():
        try:
            env[name] = _load_value(entry, directory, limits)
        except TooLarge as too_large:
            refused.setdefault(str(too_large), []).append(name)
            env[name] = Unavailable(f"its exported file is over the grader's limits ({too_large})")
        except Exception as error:  # noqa: BLE001 - a value that will not load is graded as missing
            env[name] = Unavailable(f"it could not be rebuilt outside the notebook ({_why_not_rebuilt(error)})")
    return Export(env, refused)


def _load_value(entry, directory, limits):
    kind = entry.get("kind") if isinstance(entry, dict) else None
    if kind == "missing":
        return Unavailable(NOT_DEFINED)
    if kind == "unexportable":
        return Unavailable(str(entry["reason"]))
    if kind == "model":
        path = _inside(directory, entry["file"], limits)
        _require_archive_within(path, limits)
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
        array = _read_npy(_inside(directory, entry["file"], limits), limits)
        if entry.get("torch") is True:
            from kerascourse.checks import torch_values

            return torch_values.from_numpy(array)
        return array
    if kind == "variable":
        return tf.Variable(_read_npy(_inside(directory, entry["file"], limits), limits))
    if kind == "calls":
        return probes.Recording(_read_saved(entry, directory, limits))
    if kind == "torch":
        return probes.Exported(_read_saved(entry, directory, limits))
    if kind == "json":
        return entry["value"]
    if kind == "mapping":
        return {tuple(key) if isinstance(key, list) else key: item for key, item in entry["items"]}
    return Unavailable(f"unknown export kind {kind!r}")


def _read_saved(entry, directory, limits):
    """Data that ``probes.save`` wrote: a JSON document and an ``.npz`` of arrays, read without pickle."""
    packed = _read_json(_inside(directory, entry["file"], limits), limits)
    arrays_path = _inside(directory, entry["arrays"], limits)
    _require_archive_within(arrays_path, limits, arrays=True)
    with np.load(arrays_path, allow_pickle=False) as saved:
        arrays = [saved[f"arr_{index}"] for index in range(len(saved.files))]
    return probes.unpack(packed, arrays)


def _why_not_rebuilt(error):
    """A loading error in a sentence a student can act on, without Keras's module paths and configs."""
    text = str(error)
    unknown = re.search(r"Could not locate class '(\w+)'", text)
    if unknown:
        return f"it is built from the class {unknown.group(1)}, which the grader cannot rebuild; use Keras layers"
    lines = text.strip().splitlines()
    return re.sub(r"<class '(?:\w+\.)*(\w+)'>", r"\1", lines[0] if lines else type(error).__name__)[:200]


def _inside(directory, name, limits):
    """``directory / name``: a regular file of the export within the file limit, never a path elsewhere."""
    path = (directory / str(name)).resolve()
    if path.parent != directory.resolve() or path.is_symlink() or not path.is_file():
        raise ValueError(f"{name!r} is not a file of the export")
    size = path.stat().st_size
    if size > limits.file_mb * MB:
        raise TooLarge(f"{path.name} is {size / MB:.0f} MB; the limit is {limits.file_mb:g} MB")
    return path


def _read_json(path, limits):
    size = path.stat().st_size
    if size > limits.json_mb * MB:
        raise TooLarge(f"{path.name} is {size / MB:.0f} MB of JSON; the limit is {limits.json_mb:g} MB")
    return json.loads(path.read_bytes())


def _require_archive_within(path, limits, arrays=False):
    """The archive's member count and declared sizes are within the limits; each ``.npy`` member's header
    too when ``arrays``. A zip member cannot decompress past its declared size, so this bounds the reading."""
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as error:
        raise ValueError(f"{path.name} is not a valid archive") from error
    with archive:
        members = archive.infolist()
        if len(members) > limits.archive_members:
            raise TooLarge(f"{path.name} holds {len(members)} files; the limit is {limits.archive_members}")
        declared = sum(member.file_size for member in members)
        if declared > limits.archive_mb * MB:
            raise TooLarge(
                f"{path.name} decompresses to {declared / MB:,.0f} MB; the limit is {limits.archive_mb:g} MB"
            )
        for member in members:
            if member.filename.endswith(".json") and member.file_size > limits.json_mb * MB:
                raise TooLarge(f"{member.filename} in {path.name} is {member.file_size / MB:.0f} MB of JSON")
            if arrays:
                with archive.open(member) as handle:
                    _require_array_within(handle, f"{member.filename} in {path.name}", limits)


def _require_array_within(handle, what, limits):
    """Read an ``.npy`` header from ``handle`` and refuse an array larger than the array limit."""
    version = np.lib.format.read_magic(handle)
    readers = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}
    if version not in readers:
        raise ValueError(f"{what} is an .npy file of version {version}; the grader reads versions 1 and 2")
    shape, _, dtype = readers[version](handle, max_header_size=10_000)
    if dtype.hasobject:
        raise ValueError(f"{what} holds Python objects; only numbers are graded")
    nbytes = math.prod(shape) * dtype.itemsize
    if nbytes > limits.array_mb * MB:
        raise TooLarge(f"{what} declares {shape} {dtype} ({nbytes / MB:,.0f} MB); the limit is {limits.array_mb:g} MB")


def _read_npy(path, limits):
    with open(path, "rb") as handle:
        _require_array_within(handle, path.name, limits)
    return np.load(path, allow_pickle=False)


KERAS_MODULES = ("keras.", "keras_hub.")  # where the classes a graded config may name live


def _require_keras_config(config):
    """Refuse serialized objects from outside Keras and keras-hub: deserializing imports the module a config
    names. keras-hub's layers (a BERT backbone, a position embedding) are registered when it is imported,
    so it is imported before the first config that names it is rebuilt."""
    if isinstance(config, dict):
        module = config.get("module")
        if module is not None and not (
            module == "keras"
            or str(module).startswith(KERAS_MODULES)
            or (module == "builtins" and config.get("class_name") == "function")
        ):
            raise ValueError(f"a serialized object from module {module!r}; only Keras objects are graded")
        if str(module).startswith("keras_hub."):
            import keras_hub  # noqa: F401 - registers keras-hub's serializable classes

        for value in config.values():
            _require_keras_config(value)
    elif isinstance(config, list):
        for value in config:
            _require_keras_config(value)


def _deserialize(config):
    _require_keras_config(config)
    return keras.saving.deserialize_keras_object(config, safe_mode=True)
