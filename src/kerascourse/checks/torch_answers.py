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
