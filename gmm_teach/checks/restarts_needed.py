"""The check of lesson 10's exercise: ``restarts_needed(p_success, risk)``.

How many independent random starts make missing the best optimum unlikely.
"""

import numpy as np

from ._compare import scalar
from ._harness import Failure, Student, numbered, run_check


def _problems():
    # No case sits on a boundary where (1 - p)^n equals the risk exactly.
    problems = [(7 / 20, 0.01), (0.5, 0.01), (0.05, 0.1), (0.2, 0.5), (0.99, 0.05)]
    return numbered([(f"p_success = {p:.4g}, risk = {r:g}", {"p_success": p, "risk": r})
                     for p, r in problems])


def _needed(p, risk):
    """The smallest n with (1 - p)^n <= risk, by counting up (the oracle)."""
    n, miss = 1, 1.0 - p
    while miss > risk:
        n += 1
        miss *= 1.0 - p
    return n


def check_restarts_needed(fn):
    """Check a student's ``restarts_needed(p_success, risk)``.

    With independent starts that each find the best optimum with probability
    ``p_success``, the reference is the smallest whole number ``n >= 1`` with
    ``(1 - p_success) ** n <= risk``, found by counting up; five cases.

    Parameters
    ----------
    fn : callable
        The student's ``restarts_needed(p_success, risk)``, returning a whole
        number.

    Returns
    -------
    None
        When every case matches, one line is printed.

    Raises
    ------
    AssertionError
        At the first case that does not match, with a diagnosis for: a number
        of starts that is not whole (the log ratio not rounded up), rounding
        down, p_success used in place of the probability of a miss, 1 - risk in
        place of risk, and the expected number of starts to a first success.
    NotImplementedError
        If ``fn`` is still the unwritten stub.
    TypeError
        If ``fn`` is not callable.
    """
    __tracebackhide__ = True
    run_check(Student("restarts_needed", fn), _problems(), _check_case)


def _check_case(student, case):
    p, risk = case.data["p_success"], case.data["risk"]
    out = scalar(student.call(("p_success", "risk"), (p, risk)), "your number of starts")
    expected = _needed(p, risk)
    ratio = np.log(risk) / np.log(1 - p)
    if out == expected:
        return
    if np.isfinite(out) and out != round(out):
        if np.isclose(out, ratio):
            raise Failure(f"you returned {out:.4g}, the solution n of (1 - p)^n = risk; a number "
                          f"of starts is whole: round it up, to {expected}.")
        raise Failure(f"you returned {out:.4g}, which is not a whole number of starts; the "
                      f"reference is {expected}.")
    mistakes = [
        (np.floor(ratio), f"you rounded down: with {int(np.floor(ratio))} starts the chance of "
                          f"missing every time is (1 - p)^n = {(1 - p) ** np.floor(ratio):.3g}, "
                          f"more than the risk {risk:g}; round up"),
        (np.ceil(np.log(risk) / np.log(p)), "you used p_success as the chance of one miss; a "
                                            "start misses with probability 1 - p_success"),
        (max(1.0, np.ceil(np.log(1 - risk) / np.log(1 - p))),
         "you used 1 - risk; the chance that every start misses, (1 - p)^n, must be at most "
         "risk itself"),
        (np.ceil(1 / p), "that is about the expected number of starts until the first success, "
                         "1 / p_success; the question asks for enough starts that all of them "
                         "miss with probability at most risk"),
    ]
    for wrong, sentence in mistakes:
        if out == wrong and wrong != expected:
            raise Failure(f"you returned {out:g} but the reference is {expected}: {sentence}.")
    raise Failure(
        f"you returned {out:g} but the reference is {expected}. The starts are independent, so "
        f"all n miss with probability (1 - p_success)^n; return the smallest n for which that is "
        f"at most risk."
    )
