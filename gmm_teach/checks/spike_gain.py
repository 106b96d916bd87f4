"""The check of lesson 09's exercise: ``spike_gain``, what a lower ``reg_covar`` adds to a collapsed component's log-likelihood."""

import numpy as np

from ._harness import CheckFailed, _hide_checker_frames_in_ipython

#: The floors of the question, before and after.
EPS_BEFORE, EPS_AFTER = 1e-3, 1e-6
N_FEATURES = 2
#: A rounded working (1.5 x 4.6 = 6.9) is right too.
ATOL = 0.02


def _expected():
    """log N(x | x, eps_after I) - log N(x | x, eps_before I) in D = 2: (D / 2) log(eps_before / eps_after)."""
    return 0.5 * N_FEATURES * np.log(EPS_BEFORE / EPS_AFTER)


def _mistakes():
    """(value, sentence) for the typical wrong answers."""
    right = _expected()
    return [
        (-right, "the sign is wrong: a lower floor makes the spike narrower and taller, so the "
                 "far point's log-density goes up, not down"),
        (2 * right, "that is the gain if eps were the standard deviation sigma; reg_covar is a "
                    "variance, eps = sigma^2, so going from 1e-3 to 1e-6 shrinks sigma by a "
                    "factor sqrt(1000), not 1000"),
        (right / 2, "that is half the gain: in D dimensions the log-density at the centre is "
                    "-(D/2) log(2 pi) - (1/2) log det(eps I) = ... - (D/2) log eps, and here D = 2"),
        (right / np.log(10), "that is the gain in base-10 logarithms; log-likelihoods use the "
                             "natural log (np.log)"),
        (EPS_BEFORE / EPS_AFTER, "that is the ratio of the densities (1000), not the difference "
                                 "of their logs"),
    ]


def check_spike_gain(answer):
    """Check a student's ``spike_gain``: how much a collapsed component's log-likelihood term grows.

    The question: a component sits on a single point with covariance
    ``eps * I`` in D = 2; by how much does that point's log-density grow when
    ``reg_covar`` goes from 1e-3 to 1e-6? The answer is
    ``log(1e-3 / 1e-6) = log 1000 = 6.908`` (within 0.02, so that
    ``1.5 * 4.6 = 6.9`` counts).

    Parameters
    ----------
    answer : float
        The student's number.

    Returns
    -------
    None
        When it is right, one line is printed.

    Raises
    ------
    AssertionError
        When it is wrong, with a diagnosis for: the sign, eps taken for a
        standard deviation, the D = 2 forgotten, a base-10 log, the ratio
        instead of the log.
    NotImplementedError
        If ``answer`` is still ``None`` (not answered).
    """
    __tracebackhide__ = True
    _hide_checker_frames_in_ipython()
    if answer is None:
        raise NotImplementedError(
            "spike_gain is not answered yet: set it to your number in its cell, run the cell, "
            "then run this check again."
        )
    if isinstance(answer, bool) or not isinstance(answer, (int, float, np.integer, np.floating)):
        raise CheckFailed(
            f"spike_gain should be one number (a float), but it is a {type(answer).__name__}: "
            f"{answer!r:.60}."
        )
    value, right = float(answer), _expected()
    if abs(value - right) <= ATOL:
        print(f"spike_gain: right, log(1e-3 / 1e-6) = log 1000 = {right:.3f}")
        return
    for wrong, sentence in _mistakes():
        if abs(value - wrong) <= ATOL * max(1.0, abs(wrong) / 10):
            raise CheckFailed(f"spike_gain = {value:.4g} is not right: {sentence}.")
    raise CheckFailed(
        f"spike_gain = {value:.4g} is not right. Start from the log-density of N(x | x, eps I) "
        f"at its own centre in D = 2 (section 1 wrote it with sigma, where eps = sigma^2), and "
        f"subtract its value at eps = 1e-3 from its value at eps = 1e-6."
    )
