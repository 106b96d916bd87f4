"""The check of lesson 04's exercise: the M-step, ``m_step(X, responsibilities)``."""

import inspect

import numpy as np

from .. import em
from ._compare import close, worst_entry
from ._harness import Failure, Student, run_check
from ._params import (
    M_STEP_RTOL,
    OLD_MEANS,
    check_params_output,
    check_weights_and_symmetry,
    covariances_about,
    params_atol,
)
from ._problems import SEED, cases, m_step_start

def _m_step_arity(fn):
    """2 for ``m_step(X, responsibilities)``, 5 for ``m_step(X, responsibilities, mus, sigmas, pis)``."""
    __tracebackhide__ = True
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):  # a builtin or other object without a signature
        return 2
    for arity in (2, 5):
        try:
            signature.bind(*range(arity))
        except TypeError:
            continue
        return arity
    parameters = signature.parameters.values()
    required = [p.name for p in parameters if p.default is p.empty
                and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    keyword_only = [p.name for p in parameters if p.kind == p.KEYWORD_ONLY and p.default is p.empty]
    text = f"yours requires ({', '.join(required)})"
    if keyword_only:
        text += f" and the keyword argument(s) {', '.join(keyword_only)} without a default"
    raise AssertionError(
        f"m_step must be callable as m_step(X, responsibilities), or as "
        f"m_step(X, responsibilities, mus, sigmas, pis) with the parameters before the step; "
        f"{text}."
    )


def check_m_step(fn):
    """Check a student's M-step against the reference.

    Accepted signatures: ``m_step(X, responsibilities)`` and
    ``m_step(X, responsibilities, mus, sigmas, pis)`` (detected from the
    signature; the second is given the parameters before the step). It must
    return ``(mus, sigmas, pis)`` of shapes (K, D), (K, D, D) and K entries;
    ``pis`` of shape (K, 1) or (1, K) is accepted. It is compared with the
    reference :func:`gmm_teach.em.m_step` without regularisation
    (``reg_covar=0``), with a tolerance that forgives a ``reg_covar`` of 1e-6
    on the diagonals; a larger one is reported.

    Parameters
    ----------
    fn : callable
        The student's M-step.

    Returns
    -------
    None
        When every case matches, one line is printed.

    Raises
    ------
    AssertionError
        At the first case that does not match, with a diagnosis for: wrong
        number of values or shapes, weights that do not sum to 1, covariances
        that are not symmetric, covariances computed around the old means,
        divided by N_k - 1 (or by ``np.cov``'s default divisor with
        ``aweights``) instead of N_k, or with a ``reg_covar`` added to every
        diagonal (told only when a case with several components confirms it).
        Also raised at once for a signature that is neither of the two above.
    NotImplementedError
        If ``fn`` still raises the student version's ``NotImplementedError``:
        the exercise is not written yet.
    TypeError
        If ``fn`` is not callable.

    """
    __tracebackhide__ = True
    arity = _m_step_arity(fn) if callable(fn) else 2
    rng = np.random.default_rng(SEED + 2)
    problems = cases()
    for case in problems:
        case.old = m_step_start(case, rng)
    run_check(Student("m_step", fn), problems,
              lambda student, case: _check_m_step_case(student, case, arity, problems))


def _call(student, case, arity):
    """The student's ``(mus, sigmas, pis)`` on ``case``, and the responsibilities it was given."""
    X = case.X
    old_mus, old_sigmas, old_pis = case.old
    responsibilities = em.e_step(X, old_mus, old_sigmas, old_pis)
    names = ("X", "responsibilities", "mus", "sigmas", "pis")[:arity]
    args = (X, responsibilities, old_mus, old_sigmas, old_pis)[:arity]
    out = student.call(names, args)
    k, d = old_mus.shape
    mus, sigmas, pis = check_params_output(out, k, d)
    check_weights_and_symmetry(pis, sigmas, len(X))
    return mus, sigmas, pis, responsibilities


def _unbiased(responsibilities, sigmas):
    """The covariances rescaled to the two unbiased divisors a student may use instead of N_k.

    ``N_k - 1``, and ``N_k - sum_i gamma_ik^2 / N_k``: what ``np.cov(X.T,
    aweights=responsibilities[:, k])`` divides by (its default ``ddof=1``).
    The two agree when every responsibility is 0 or 1.
    """
    n_k = responsibilities.sum(axis=0)
    divisors = (n_k - 1.0, n_k - (responsibilities ** 2).sum(axis=0) / n_k)
    with np.errstate(all="ignore"):
        return [sigmas * (n_k / divisor)[:, None, None] for divisor in divisors]


def _ridge(sigmas, reference):
    """The constant ``c > 0`` if ``sigmas`` is ``reference`` plus ``c`` on every diagonal, else None."""
    d = reference.shape[-1]
    added = float(np.mean(np.einsum("kdd->kd", sigmas - reference)))
    ridge = reference + added * np.eye(d)
    if added > 0 and close(sigmas, ridge, M_STEP_RTOL, params_atol(reference)):
        return added
    return None


def _confirmed_ridge(student, case, arity, problems, added):
    """Is a ridge seen where it cannot be told from other errors (one variance) a real one?

    With K = 1 and D = 1 the whole covariance is one number, so any error in it
    looks like "plus c on the diagonal". The student's function is then run on
    the first problem with several components: a genuine ``reg_covar`` adds the
    same constant there, to every component.
    """
    k, d = case.old[0].shape
    if k * d > 1:
        return True
    other = next(p for p in problems if len(p.old[0]) > 1)
    try:
        _, sigmas, _, responsibilities = _call(student, other, arity)
    except Failure:
        return False
    reference = em.m_step(other.X, responsibilities, reg_covar=0.0).sigmas
    there = _ridge(sigmas, reference)
    return there is not None and np.isclose(there, added, rtol=1e-3)


def _check_m_step_case(student, case, arity, problems):
    X = case.X
    old_mus = case.old[0]
    mus, sigmas, pis, responsibilities = _call(student, case, arity)
    ref = em.m_step(X, responsibilities, reg_covar=0.0)
    for name, mine, theirs in (("mus", mus, ref.mus), ("pis", pis, ref.pis)):
        if not close(mine, theirs, M_STEP_RTOL, params_atol(theirs)):
            raise Failure(
                worst_entry(mine, theirs, M_STEP_RTOL, params_atol(theirs), name)
                + "\nWith N_k = sum_i gamma_ik: mus[k] = sum_i gamma_ik x_i / N_k and "
                "pis[k] = N_k / n."
            )
    atol = params_atol(ref.sigmas)
    if close(sigmas, ref.sigmas, M_STEP_RTOL, atol):
        return
    old_centred = covariances_about(X, responsibilities, old_mus)
    if close(sigmas, old_centred, M_STEP_RTOL, atol):
        raise Failure(OLD_MEANS)
    by_n_k_minus_1, by_aweights = _unbiased(responsibilities, ref.sigmas)
    if close(sigmas, by_n_k_minus_1, M_STEP_RTOL, atol):
        raise Failure(
            "your covariances are the right ones times N_k / (N_k - 1): you divided by "
            "N_k - 1, as the unbiased sample covariance does (np.cov's default, also with "
            "aweights=...). The M-step's covariance is the maximum-likelihood one: divide by "
            "N_k (with np.cov, pass bias=True)."
        )
    if close(sigmas, by_aweights, M_STEP_RTOL, atol):
        raise Failure(
            "your covariances are np.cov(..., aweights=...) without bias=True: that divides "
            "by N_k - sum_i gamma_ik^2 / N_k, the unbiased divisor for weights. The M-step's "
            "covariance is the maximum-likelihood one: divide by N_k (pass bias=True)."
        )
    added = _ridge(sigmas, ref.sigmas)
    if added is not None and _confirmed_ridge(student, case, arity, problems, added):
        raise Failure(
            f"your covariances are the right ones plus {added:.3g} on every diagonal: "
            f"this exercise asks for the plain weighted estimates, with no reg_covar added."
        )
    raise Failure(
        worst_entry(sigmas, ref.sigmas, M_STEP_RTOL, params_atol(ref.sigmas), "sigmas")
        + "\nsigmas[k] = sum_i gamma_ik (x_i - mus[k]) (x_i - mus[k])^T / N_k: weighted by "
        "the responsibilities, divided by N_k (not n), around the new means."
    )
