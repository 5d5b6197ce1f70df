"""One base class for the function's own errors, so a caller can tell them from everything else."""

from __future__ import annotations

import inspect

from task_monitor import errors


def test_every_error_of_the_function_derives_from_the_one_base() -> None:
    defined = [value for _, value in inspect.getmembers(errors, inspect.isclass) if value.__module__ == errors.__name__]
    assert len(defined) > 5
    assert all(issubclass(error, errors.TaskMonitorError) for error in defined)


def test_an_invalid_event_says_which_field_and_still_is_a_value_error() -> None:
    error = errors.InvalidEventError("detail.shots", "'lots' is not a whole number")
    assert isinstance(error, ValueError)
    assert (error.field, str(error)) == (
        "detail.shots",
        "invalid Braket event: detail.shots: 'lots' is not a whole number",
    )
