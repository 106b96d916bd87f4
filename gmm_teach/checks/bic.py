"""The check of lesson 08's exercise: ``bic(X, mus, sigmas, pis)`` for a full-covariance mixture."""

import numpy as np

from .. import em
from ._compare import scalar
from ._harness import Failure, Student, numbered, run_check
from ._problems import mixture

#: What the student may call: the log-likelihood, as the exercise says.
ALLOWED = (em.log_likelihood, em.gaussian_pdf, em.log_gaussian_pdf)
FORBIDDEN = (
    (em.n_parameters, "n_parameters, which the exercise asks you not to call: count the "
                      "parameters yourself from the shapes of mus"),
)

# Loose enough for a float32 result; a miscount moves BIC by log(N) or more.
_RTOL = 1e-6


def _problems():
    rng = np.random.default_rng(6)
    problems = []
    for n, d, k in [(105, 2, 4), (60, 3, 2), (80, 1, 3), (200, 4, 5)]:
        X, mus, sigmas, pis = mixture(rng, n, d, k)
        problems.append((f"X {X.shape}, K = {k}", {"X": X, "params": (mus, sigmas, pis)}))
    return numbered(problems)


def _wrong_counts(k, d):
    """Parameter counts of typical mistakes, minus the right count, what each one is, and which
    part of the count (means, covariances, weights) it gets wrong."""
    return [
        (k * d * (d - 1) // 2,
         "you counted D^2 numbers for each covariance; a covariance is symmetric, so it has "
         "D(D+1)/2 free numbers (the diagonal and one triangle)", "covariances"),
        (-(k - 1), "you forgot the K - 1 free weights pis", "weights"),
        (1, "you counted K weights; they sum to 1, so only K - 1 of them are free", "weights"),
        (-k * d, "you forgot the K D numbers of the means", "means"),
        (-k * d * (d + 1) // 2, "you forgot the covariances, D(D+1)/2 numbers each",
         "covariances"),
        (-k * d * (d - 1) // 2,
         "you counted only the D diagonal entries of each covariance; a full covariance has "
         "D(D+1)/2 free numbers", "covariances"),
    ]


def _miscount(k, d, extra):
    """The sentence for a count that is off by ``extra``: one typical mistake, or two in
    different parts of the count; None when no such explanation, or more than one, fits."""
    wrong = _wrong_counts(k, d)
    singles = [mistake for off, mistake, _ in wrong if off and off == extra]
    if singles:
        return singles[0]
    pairs = [
        (first, second)
        for i, (off_1, first, part_1) in enumerate(wrong)
        for off_2, second, part_2 in wrong[i + 1:]
        if part_1 != part_2 and off_1 and off_2 and off_1 + off_2 == extra
    ]
    if len(pairs) != 1:
        return None
    first, second = pairs[0]
    return f"two of your counts are off. First, {first}. Second, {second}"


def check_bic(fn):
    """Check a student's ``bic(X, mus, sigmas, pis)``: -2 log L + p log N for a full-covariance mixture.

    The reference is ``-2 * log_likelihood(X, mus, sigmas, pis) + p * log(N)``
    with ``p = K D + K D (D + 1) / 2 + K - 1`` free parameters, on four
    problems (1-D to 4-D, 2 to 5 components), where the typical miscounts give
    different answers.

    Parameters
    ----------
    fn : callable
        The student's ``bic(X, mus, sigmas, pis)``, returning one number.

    Returns
    -------
    None
        When every case matches, one line is printed.

    Raises
    ------
    AssertionError
        At the first case that does not match, with a diagnosis for: each
        typical parameter miscount (covariances as D^2, weights as K or
        forgotten, means or covariances forgotten) and two of them in different
        parts of the count, a log in base 10, the sign,
        and AIC's penalty in place of BIC's. Also when ``fn`` calls
        ``n_parameters`` (the text asks for the count written out), or
        ``gmm_teach``'s ``bic``/``aic``, or scikit-learn's ``GaussianMixture``.
    NotImplementedError
        If ``fn`` is still the unwritten stub.
    TypeError
        If ``fn`` is not callable.
    """
    __tracebackhide__ = True
    run_check(Student("bic", fn, ALLOWED, FORBIDDEN), _problems(), _check_case)


def _check_case(student, case):
    X, (mus, sigmas, pis) = case.data["X"], case.data["params"]
    out = scalar(student.call(("X", "mus", "sigmas", "pis"), (X, mus, sigmas, pis)),
                 "your bic")
    n, (k, d) = len(X), mus.shape
    log_l = em.log_likelihood(X, mus, sigmas, pis)
    p = k * d + k * d * (d + 1) // 2 + k - 1
    expected = -2 * log_l + p * np.log(n)
    if np.isclose(out, expected, rtol=_RTOL):
        return
    extra = (out - expected) / np.log(n)
    if round(extra) and abs(extra - round(extra)) < 1e-6 * max(1.0, abs(out) / np.log(n)):
        mistake = _miscount(k, d, round(extra))
        if mistake is not None:
            raise Failure(
                f"your BIC is {out:.6g}, the reference {expected:.6g}: {mistake}. Here K = {k} "
                f"and D = {d}, so p = {p}."
            )
    others = [
        (-2 * log_l + p * np.log10(n), "log(N) must be the natural log (np.log), not log10"),
        (2 * log_l + p * np.log(n), "the log-likelihood enters as -2 log L: check its sign"),
        (-log_l + p * np.log(n), "the log-likelihood is multiplied by -2, not -1"),
        (-2 * log_l + 2 * p, "that is AIC's penalty, 2 per parameter; BIC's is log(N) per "
                             "parameter"),
    ]
    for value, mistake in others:
        if np.isclose(out, value, rtol=_RTOL):
            raise Failure(f"your BIC is {out:.6g}, the reference {expected:.6g}: {mistake}.")
    raise Failure(
        f"your BIC is {out:.6g} but the reference gives {expected:.6g} "
        f"(difference / log N = {(out - expected) / np.log(n):.3g}; a whole number means a wrong "
        f"parameter count). BIC = -2 log L + p log N, with log L = log_likelihood(X, mus, sigmas, "
        f"pis); count p again from the shapes, part by part: the means, the covariances (each is "
        f"symmetric) and the weights (they sum to 1)."
    )
