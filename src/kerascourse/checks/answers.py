"""What every check starts from: a failure with a message, a stand-in for an answer the grader could not
get, and the rule that an answer must exist and be the student's own work."""

import functools
import inspect

LIBRARY = "kerascourse"
NOT_DEFINED = "the notebook does not define it"


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
        fail(f"{name} is not available to the grader: {reason}; keep the names the question asks for")
    origin = library_origin(obj)
    if origin:
        fail(
            f"{name} is the course library's own {origin}; answers must be your own code, so write {name} "
            "in your notebook instead of importing it"
        )
