"""The check of lesson 08's second exercise: ``bic_threshold(n_features, n_samples)``.

How much the maximised log-likelihood must rise, from K to K + 1 components of
a full-covariance mixture in D = ``n_features`` dimensions on N = ``n_samples``
points, for BIC to prefer K + 1. BIC(K + 1) < BIC(K) exactly when
``log L(K + 1) - log L(K) > (p(K + 1) - p(K)) log(N) / 2``, and one more
component brings ``D + D (D + 1) / 2 + 1`` free parameters, whatever K is.
"""

import numpy as np

from .. import em
from ._compare import scalar
from ._harness import Failure, Student, numbered, run_check

# Loose enough for a float32 result; the typical mistakes are off by 1 % or more.
_RTOL = 1e-6


def _problems():
    # The first case, D = 4, tells every typical miscount apart (in 2-D, a forgotten weight and
    # diagonal-only covariances both give 5 new parameters; in 1-D, D^2 = D(D+1)/2).
    problems = [(4, 420), (2, 105), (1, 50), (10, 10_000)]
    return numbered([
        (f"n_features = {d}, n_samples = {n}", {"n_features": d, "n_samples": n})
        for d, n in problems
    ])


def _threshold(d, n):
    """The oracle: half the rise of BIC's penalty from K to K + 1 components, from em.n_parameters.

    The same for every K; it is computed from two values of K as a guard.
    """
    rises = {em.n_parameters(k + 1, d) - em.n_parameters(k, d) for k in (1, 5)}
    (rise,) = rises
    return rise * np.log(n) / 2


def check_bic_threshold(fn):
    """Check a student's ``bic_threshold(n_features, n_samples)``.

    The reference is ``(p(K + 1) - p(K)) * log(N) / 2`` with ``p`` the free
    parameters of a full-covariance mixture (``gmm_teach.n_parameters``): the
    rise of ``log L-hat`` above which BIC prefers K + 1 components to K. Four
    cases, 1-D to 10-D, 50 to 10,000 points; the first, in 4-D, gives every
    typical miscount a different value.

    Parameters
    ----------
    fn : callable
        The student's ``bic_threshold(n_features, n_samples)``, returning one
        number.

    Returns
    -------
    None
        When every case matches, one line is printed.

    Raises
    ------
    AssertionError
        At the first case that does not match, with a diagnosis for: the
        factor 1/2 forgotten (the rise of BIC itself), AIC's threshold, a
        base-10 log, the sign, a per-point rise, and each miscount of the new
        component's parameters (covariance as D^2 or as its diagonal, weight,
        mean or covariance forgotten). Also when ``fn`` calls ``gmm_teach``'s
        ``n_parameters``, ``bic`` or ``aic``.
    NotImplementedError
        If ``fn`` is still the unwritten stub.
    TypeError
        If ``fn`` is not callable.
    """
    __tracebackhide__ = True
    run_check(Student("bic_threshold", fn), _problems(), _check_case)


def _check_case(student, case):
    names = ("n_features", "n_samples")
    d, n = (case.data[name] for name in names)
    out = scalar(student.call(names, (d, n)), "your threshold")
    expected = _threshold(d, n)
    if np.isclose(out, expected, rtol=_RTOL):
        return
    half_log_n = np.log(n) / 2
    new_params = expected / half_log_n
    mistakes = [
        (2 * expected,
         "that is how much BIC's penalty grows, (new parameters) x log N. BIC counts -2 log L, so "
         "the log-likelihood itself has to rise by half of that"),
        (new_params,
         "that is AIC's threshold: AIC charges 2 per parameter on the -2 log L scale, so it "
         "prefers K + 1 once log L rises by the number of new parameters. BIC charges log N per "
         "parameter"),
        (expected * np.log10(n) / np.log(n),
         "log N must be the natural log (np.log), not log10"),
        (-expected,
         "the sign is wrong: BIC prefers K + 1 only if the log-likelihood goes UP, by more than a "
         "positive amount"),
        (expected / n,
         "that is per point; BIC's log L is the total over all N points, and so is the rise"),
        ((new_params + d * (d - 1) / 2) * half_log_n,
         "you counted D^2 numbers for the new covariance; it is symmetric, so only its diagonal "
         "and one triangle, D(D+1)/2 numbers, are free"),
        ((new_params - 1) * half_log_n,
         "you left out the new component's weight. The K weights have K - 1 free numbers and the "
         "K + 1 weights have K: one more (a single component has no free weight, but adding one "
         "to it does)"),
        ((new_params - d * (d - 1) / 2) * half_log_n,
         "you counted only the D variances of the new covariance; a full covariance has D(D+1)/2 "
         "free numbers"),
        ((new_params - d) * half_log_n, "you left out the new component's mean, D numbers"),
        ((new_params - d * (d + 1) / 2) * half_log_n,
         "you left out the new component's covariance, D(D+1)/2 free numbers"),
    ]
    for wrong, sentence in mistakes:
        if np.isclose(out, wrong, rtol=_RTOL):
            raise Failure(f"your threshold is {out:.6g}, the reference {expected:.6g}: {sentence}.")
    implied = out / half_log_n
    if abs(implied - round(implied)) < 1e-6 and round(implied) > 0:
        raise Failure(
            f"your threshold is {out:.6g}, the reference {expected:.6g}. Yours is {round(implied)} "
            f"x log(N) / 2, as if one more component brought {round(implied)} free parameters: "
            f"the log(N) / 2 is right, so recount what a new component brings here (D = {d}): its "
            f"mean, its covariance and its weight, each counted as in your bic."
        )
    raise Failure(
        f"your threshold is {out:.6g} but the reference gives {expected:.6g}. Write BIC(K + 1) < "
        f"BIC(K) with BIC = -2 log L + p log N, and solve it for log L(K + 1) - log L(K): only "
        f"the parameters that the extra component adds remain."
    )
