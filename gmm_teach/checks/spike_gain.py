"""The check of lesson 09's exercise: ``spike_gain(eps_before, eps_after, n_features)``.

How much a collapsed component's log-density at its point grows when the
floor ``reg_covar`` changes.
"""

import numpy as np

from ._compare import scalar
from ._harness import Failure, Student, numbered, run_check

_RTOL = 1e-9


def _problems():
    problems = [
        # The lesson's question: reg_covar from 1e-3 to 1e-6 in 2-D.
        (1e-3, 1e-6, 2),
        (1e-2, 1e-4, 1),
        (0.5, 0.1, 5),
        # A higher floor: the spike gets lower, the gain is negative.
        (1e-6, 1e-3, 3),
    ]
    return numbered([
        (f"eps_before = {b:g}, eps_after = {a:g}, n_features = {d}",
         {"eps_before": b, "eps_after": a, "n_features": d})
        for b, a, d in problems
    ])


def _log_peak(eps, d):
    """log N(x | x, eps I) in d dimensions, from the density's definition (the oracle)."""
    return -0.5 * np.log(np.linalg.det(2 * np.pi * eps * np.eye(d)))


def check_spike_gain(fn):
    """Check a student's ``spike_gain(eps_before, eps_after, n_features)``.

    The reference is ``log N(x | x, eps_after I) - log N(x | x, eps_before I)``
    in ``n_features`` dimensions, from the determinant of ``2 pi eps I``; it
    equals ``(D / 2) log(eps_before / eps_after)``. Four cases, 1-D to 5-D, one
    with a higher floor after (a negative gain).

    Parameters
    ----------
    fn : callable
        The student's ``spike_gain(eps_before, eps_after, n_features)``,
        returning one number.

    Returns
    -------
    None
        When every case matches, one line is printed.

    Raises
    ------
    AssertionError
        At the first case that does not match, with a diagnosis for: the sign,
        ``n_features`` ignored (the 2-D answer in every dimension), eps taken
        for a standard deviation (twice the gain), the dimension forgotten, a
        base-10 log, the ratio of the densities instead of the
        difference of their logs.
    NotImplementedError
        If ``fn`` is still the unwritten stub.
    TypeError
        If ``fn`` is not callable.
    """
    __tracebackhide__ = True
    run_check(Student("spike_gain", fn), _problems(), _check_case)


def _check_case(student, case):
    names = ("eps_before", "eps_after", "n_features")
    b, a, d = (case.data[name] for name in names)
    out = scalar(student.call(names, (b, a, d)), "your gain")
    expected = _log_peak(a, d) - _log_peak(b, d)
    if np.isclose(out, expected, rtol=_RTOL, atol=1e-12):
        return
    # Checked first: on the 1-D case, the 2-D answer is also twice the right one.
    if d != 2 and np.isclose(out, _log_peak(a, 2) - _log_peak(b, 2), rtol=_RTOL, atol=1e-12):
        raise Failure(
            f"your gain is {out:.6g}, the reference {expected:.6g}: that is the gain in D = 2 "
            f"dimensions, but here n_features = {d}. Your function seems to ignore n_features: "
            f"the density of N(x | x, eps I) at x has the factor |2 pi eps I|^(-1/2) = "
            f"(2 pi eps)^(-D/2), so the gain depends on D."
        )
    mistakes = [
        (-expected, "the sign is wrong: the gain is the log-density after minus before, and a "
                    "lower floor makes the spike taller, so the gain is then positive"),
        (2 * expected, "that is twice the gain, as if eps were the standard deviation sigma; "
                       "reg_covar is a variance, eps = sigma^2, so sigma shrinks by only "
                       "sqrt(eps_before / eps_after)"),
        (expected / d, f"that is the gain in one dimension; the density of N(x | x, eps I) at x "
                       f"has the factor |2 pi eps I|^(-1/2) = (2 pi eps)^(-D/2), here D = {d}"),
        (expected / np.log(10), "that is the gain in base-10 logarithms; log-densities use the "
                                "natural log (np.log)"),
        (np.exp(expected), "that is the ratio of the two densities, not the difference of their "
                           "logs"),
    ]
    for wrong, sentence in mistakes:
        if np.isclose(out, wrong, rtol=_RTOL, atol=1e-12):
            raise Failure(f"your gain is {out:.6g}, the reference {expected:.6g}: {sentence}.")
    raise Failure(
        f"your gain is {out:.6g} but the reference gives {expected:.6g}. Write "
        f"log N(x | x, eps I) in D dimensions (section 1 did D = 2, with sigma^2 = eps), and "
        f"subtract its value at eps_before from its value at eps_after."
    )
