"""What every check starts from: a failure with a message, a stand-in for an answer the grader could not
get, and the rule that an answer must exist and be the student's own work."""

import functools
import inspect
import re

LIBRARY = "kerascourse"
NOT_DEFINED = "the notebook does not define it"
FRAMEWORKS = {"tensorflow", "keras", "numpy", "jax", "torch"}  # whose exception class names mean nothing to a student


class CheckFailed(AssertionError):
    """A check found a mistake; the message says what it is and how to fix it."""


def fail(message):
    raise CheckFailed(message)


class Unavailable:
    """Stands in, at grading, for a name the notebook did not define or that could not be exported."""

    def __init__(self, reason):
        self.reason = reason

    def __repr__(self):
        return f"<unavailable: {self.reason}>"


def library_origin(obj):
    """``module.name`` when ``obj`` is a function, class or object of the course library itself, else None."""
    while isinstance(obj, functools.partial):
        obj = obj.func
    target = obj if inspect.isroutine(obj) or inspect.isclass(obj) else type(obj)
    target = getattr(target, "__func__", target)  # a bound method: the function it wraps
    module = getattr(target, "__module__", None) or ""
    if module == LIBRARY or module.startswith(f"{LIBRARY}."):
        return f"{module}.{getattr(target, '__qualname__', type(target).__name__)}"
    return None


def require_defined(obj, name):
    """The answer exists (at grading, a name the notebook never defined arrives as ``Unavailable``) and is
    not the course library's own code: importing what a question asks you to write earns nothing."""
    if obj is None or isinstance(obj, Unavailable):
        reason = obj.reason if isinstance(obj, Unavailable) else NOT_DEFINED
        hint = "; keep the names the question asks for" if reason == NOT_DEFINED else ""
        fail(f"{name} is not available to the grader: {reason}{hint}")
    origin = library_origin(obj)
    if origin:
        fail(
            f"{name} is the course library's own {origin}; answers must be your own code, so write {name} "
            "in your notebook instead of importing it"
        )


_SHAPES = [
    # TensorFlow: "Incompatible shapes: [3,4] vs. [3]"
    re.compile(r"Incompatible shapes: \[([\d,]*)\] vs\. \[([\d,]*)\]"),
    # NumPy: "operands could not be broadcast together with shapes (1000,5,5) (1000,)"
    re.compile(r"broadcast together with shapes \(([\d,]*)\) \(([\d,]*)\)"),
]


def explain(error):
    """What an exception raised by student code, or by arrays it produced, means: one plain clause without a
    framework's class names or graph-node text (Python's own exception names stay, students know them)."""
    framework = type(error).__module__.split(".")[0] in FRAMEWORKS
    return explain_text(str(error), None if framework else type(error).__name__)


def explain_text(text, name=None):
    """``explain`` for an error known by its text, and by its ``name`` when that is Python's own."""
    for pattern in _SHAPES:
        found = pattern.search(text)
        if found:
            first, second = (tuple(int(size) for size in shape.split(",") if size) for shape in found.groups())
            return (f"it combines arrays of shapes {first} and {second}, which do not broadcast; check which axis "
                    "each operation reduces over (keepdims=True keeps that axis for broadcasting)")
    text = re.sub(r"\b(?:tensorflow|keras)(?:\.\w+)*\.(\w+)", r"\1", text)  # EagerTensor, not its module path
    text = re.sub(r"\{\{function_node [^}]*\}\}|\[\[\{\{node [^}]*\}\}\]\]|\[Op:[^\]]*\]", "", text)
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("File ")]
    if name is None:  # a framework's error: TensorFlow puts the cause last, after its trace
        return lines[-1][:300] if lines else "an error inside the framework"
    return f"{name}: {lines[0][:300]}" if lines else name
