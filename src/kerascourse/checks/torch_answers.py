"""How the checks of the PyTorch lessons read an answer: the live object in the notebook, or what the batch
grader read back from the sandbox's export, as the same plain data (``kerascourse.checks.torch_values``)."""

import numpy as np
import torch

from kerascourse.checks import probes
from kerascourse.checks.answers import fail, require_defined


def itself(model):
    """The probe call that hands a module over whole: its module tree, as ``as_data`` makes it."""
    return model


def require_tensor(value, name, how):
    """``value`` as a numpy array when it is a PyTorch tensor; else a failure that says ``how`` to make one."""
    require_defined(value, name)
    if isinstance(value, probes.Exported) or not isinstance(value, torch.Tensor):
        kind = "a numpy array" if isinstance(value, np.ndarray) else f"a {type(value).__name__}"
        fail(f"{name} is {kind}, not a PyTorch tensor; {how}")
    return value.detach().cpu().numpy()


def answer_data(value, name):
    """A PyTorch answer as plain data: read back from the export at batch grading, converted in the notebook."""
    if isinstance(value, probes.Exported):
        return value.data
    require_defined(value, name)
    return probes.as_data(value)


def module_type(module, name, how):
    """The class name of an ``nn.Module`` answer (a loss, say), live or exported; ``how`` says how to make one."""
    data = answer_data(module, name)
    tree = data.get("torch_module") if isinstance(data, dict) else None
    if not isinstance(module, (probes.Exported, torch.nn.Module)) or not isinstance(tree, dict):
        fail(f"{name} is a {type(module).__name__}; {how}")
    return str(tree.get("type"))


def probed_tree(model, name, calls, how):
    """The module tree a model's ``"module"`` probe call (``itself``) hands over; ``how`` says how to make one."""
    tree = probes.call(model, name, "module", calls)
    if not isinstance(tree, dict) or "torch_module" not in tree:
        fail(f"{name} is a {type(model).__name__}; {how}")
    return tree["torch_module"]
