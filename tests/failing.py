"""Assert that a check fails with a message containing a given phrase, and no framework's raw error text;
find a hidden test's source in what a student sees."""

import pytest

from kerascourse import checks

# What a student must never read as feedback: framework exception classes, graph-node text, stack traces
RAW_EXCEPTION_TEXT = (
    "InvalidArgumentError",
    "{{function_node",
    "operands could not be broadcast",
    "Traceback (most recent call last)",
    "tensorflow.python",
    "keras.src",
)


def raw_text_in(message):
    return [raw for raw in RAW_EXCEPTION_TEXT if raw in message]


def fails_with(phrase, call, *args, **kwargs):
    with pytest.raises(checks.CheckFailed) as error:
        call(*args, **kwargs)
    assert phrase in str(error.value)
    assert not raw_text_in(str(error.value)), str(error.value)
    return str(error.value)


def hidden_test_lines(test_text):
    """Lines of the hidden test functions, long enough to be distinctive."""
    lines, inside = set(), False
    for line in test_text.splitlines():
        if line.startswith("@test_case"):
            inside = "hidden=True" in line
        elif inside and line.startswith("    ") and len(line.strip()) > 25:
            lines.add(line.strip())
    return lines
