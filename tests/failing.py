"""Assert that a check fails with a message containing a given phrase."""

import pytest

from kerascourse import checks


def fails_with(phrase, call, *args, **kwargs):
    with pytest.raises(checks.CheckFailed) as error:
        call(*args, **kwargs)
    assert phrase in str(error.value)
    return str(error.value)
