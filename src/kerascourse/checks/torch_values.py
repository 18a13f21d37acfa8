"""PyTorch answers as plain data, the same in the student's kernel and at batch grading.

A tensor becomes a numpy array in its own dtype; a device or dtype its name; an ``nn.Module`` its
module tree (each submodule's name, class and public hyperparameters, read from attributes such as
``in_features`` and ``kernel_size``) with its ``state_dict`` as arrays. A ``DataLoader`` becomes two
epochs of its batches, read by ``probes`` as a ``tf.data`` pipeline is. Nothing here runs a module's
``forward``: outputs come from the probe calls the checks make (``kerascourse.checks.probes``).
"""

import numpy as np
import torch

# The public hyperparameters a module tree records, where a module has them.
HYPERPARAMETERS = (
    "in_features", "out_features", "in_channels", "out_channels", "kernel_size", "stride", "padding",
    "dilation", "groups", "p", "negative_slope", "num_features", "start_dim", "end_dim", "dim", "reduction",
)


def is_torch(value):
    """True for objects of PyTorch's own classes and their subclasses (a student's ``nn.Module`` too), but
    not for Keras objects, whose layers are ``nn.Module``s on Keras's torch backend."""
    packages = {cls.__module__.split(".")[0] for cls in type(value).__mro__}
    return "torch" in packages and "keras" not in packages


def is_loader(value):
    """A ``DataLoader``, which becomes two epochs of its batches like a ``tf.data`` pipeline (``probes``)."""
    return isinstance(value, torch.utils.data.DataLoader)


def as_data(value):
    """A tensor, device, dtype or module as plain data; ``{"unsupported": name}`` for anything else."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy().copy()
    if isinstance(value, (torch.device, torch.dtype)):
        return str(value)
    if isinstance(value, torch.nn.Module):
        return {"torch_module": describe(value)}
    return {"unsupported": type(value).__name__}


def describe(module):
    """The module tree of ``module``: its class, training flag, parameter count, submodules in
    registration order (the root first, named ``""``) and its ``state_dict`` as arrays."""
    return {
        "type": type(module).__name__,
        "training": bool(module.training),
        "trainable_parameters": int(sum(p.numel() for p in module.parameters() if p.requires_grad)),
        "modules": [
            {"name": name, "type": type(child).__name__, "config": _hyperparameters(child)}
            for name, child in module.named_modules()
        ],
        "state": {name: tensor.detach().cpu().numpy().copy() for name, tensor in module.state_dict().items()},
    }


def _hyperparameters(module):
    config = {}
    for name in HYPERPARAMETERS:
        value = getattr(module, name, None)
        if isinstance(value, (bool, int, float, str)):
            config[name] = value
        elif isinstance(value, tuple) and all(isinstance(item, int) for item in value):
            config[name] = list(value)
    if hasattr(module, "bias"):  # a layer made with bias=False holds None
        config["bias"] = module.bias is not None
    return config


def from_numpy(array):
    """An exported array back as a tensor on the trusted side (no pickle: the array was read as ``.npy``)."""
    return torch.from_numpy(np.array(array, copy=True))

