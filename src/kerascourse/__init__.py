"""kerascourse: a Keras-first, auto-graded deep-learning course.

Four parts, split by who runs the code and whom it trusts:

- ``course``: what the lessons' notebooks import (data, hardware, pre-trained networks); student side.
- ``checks``: the answer checks the tests call, in the student's kernel or on the trusted side.
- ``grader``: batch grading; ``runner`` and ``exporter`` run inside the sandbox, the rest is trusted.
- ``authoring``: the course maintainers' tools (assign, samples, the hostile corpus, the demo).
"""

import importlib.abc
import importlib.util
import sys
from pathlib import Path

__version__ = "0.1.0"
ROOT = Path(__file__).resolve().parents[2]  # the checkout: reference/, exercises/, autograder/

# Import paths of the flat layout before 0.2, which notebooks and public tests that students downloaded
# still use (``from kerascourse import cnn_checks``); kept for one release.
MOVED = {
    "data": "kerascourse.course.data",
    "hardware": "kerascourse.course.hardware",
    "pretrained": "kerascourse.course.pretrained",
    "builders": "kerascourse.course.builders",
    "probes": "kerascourse.checks.probes",
    "tensor_checks": "kerascourse.checks.tensors",
    "neuron_checks": "kerascourse.checks.neurons",
    "regularization_checks": "kerascourse.checks.regularization",
    "cnn_checks": "kerascourse.checks.cnn",
    "rnn_checks": "kerascourse.checks.rnn",
    "autoencoder_checks": "kerascourse.checks.autoencoders",
    "transfer_checks": "kerascourse.checks.transfer",
}


class _MovedModules(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds ``kerascourse.<old name>`` as the module that now holds it."""

    def find_spec(self, fullname, path=None, target=None):
        package, _, name = fullname.rpartition(".")
        if package == __name__ and name in MOVED:
            return importlib.util.spec_from_loader(fullname, self)
        return None

    def create_module(self, spec):
        module = importlib.import_module(MOVED[spec.name.rpartition(".")[2]])
        self.spec = module.__spec__  # the import system gives the module the old name's spec; exec_module undoes it
        return module

    def exec_module(self, module):
        module.__spec__ = self.spec


sys.meta_path.append(_MovedModules())
