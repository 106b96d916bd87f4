"""Checks of a number the student writes down (a judgement), not of a function.

The exercise cell sets a variable, e.g. ``n_random_restarts = 11``; its check
cell calls ``check_n_random_restarts(n_random_restarts)``. The value is
compared with the right one, and the typical wrong values get their own
diagnosis, in the same words and layout as the function checks.
"""

import numbers

import numpy as np

from ._harness import CheckFailed, _hide_checker_frames_in_ipython


def check_number(name, value, expected, mistakes, otherwise):
    """Pass (one printed line) if ``value == expected``, else raise naming the mistake.

    Parameters
    ----------
    name : str
        The variable's name, e.g. ``"n_random_restarts"``.
    value : object
        What the student stored.
    expected : int
        The right whole number.
    mistakes : sequence of (predicate, str)
        ``predicate(value)`` true means the value is a typical mistake, the
        sentence says which and where to look. The first that matches is used.
    otherwise : str
        The sentence for any other wrong value.

    Raises
    ------
    CheckFailed
        (an ``AssertionError``) when the value is not the right number.
    NotImplementedError
        If the value is still ``None`` (not answered): nbgrader's signal for an
        unanswered exercise.
    """
    __tracebackhide__ = True
    _hide_checker_frames_in_ipython()
    if value is None:
        raise NotImplementedError(
            f"{name} is not answered yet: set it to your number in its cell, run the cell, then "
            f"run this check again."
        )
    if callable(value):
        raise CheckFailed(
            f"{name} should be a number, not a function: store the number itself, as in "
            f"{name} = ..., not a function that computes it."
        )
    if isinstance(value, str):
        raise CheckFailed(
            f"{name} should be a number, not the text {value!r}: write it without quotes."
        )
    if isinstance(value, (bool, np.bool_)):
        raise CheckFailed(f"{name} should be a whole number, not {value!r}.")
    if not isinstance(value, numbers.Real):
        try:
            array = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            array = None
        if array is None or array.size != 1:
            raise CheckFailed(f"{name} should be one whole number, got {value!r}.")
        value = float(array.ravel()[0])
    value = float(value)
    if value == expected:
        print(f"{name}: {expected} matches the reference")
        return
    for predicate, sentence in mistakes:
        if predicate(value):
            raise CheckFailed(f"{name} = {value:g} is not right: {sentence}")
    raise CheckFailed(f"{name} = {value:g} is not right: {otherwise}")
