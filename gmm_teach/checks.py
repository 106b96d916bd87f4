"""Checks that compare a student's EM functions with the reference and say what is wrong.

Each ``check_*`` function runs the student's function on a handful of generated
problems (1-D to 5-D, 1 to 4 components, 5 to 200 points, and one problem with
a point far away from every component), compares the result with the reference
implementation in :mod:`gmm_teach.em`, and then either prints one line and
returns ``True``, or raises ``AssertionError`` whose message names the first
case that failed and, when the mistake is a common one, says what it is and
where to look::

    >>> from gmm_teach.checks import check_e_step
    >>> check_e_step(e_step)                                  # doctest: +SKIP
    e_step: all 6 cases match the reference

The student's functions have the reference signatures:

- ``gaussian_pdf(X, mus, sigmas, pis)`` -> weighted densities, shape (n, K);
- ``log_likelihood(X, mus, sigmas, pis)`` -> one number, the total;
- ``e_step(X, mus, sigmas, pis)`` -> responsibilities, shape (n, K);
- ``m_step(X, responsibilities)`` -> ``(mus, sigmas, pis)`` (the seed
  notebook's ``m_step(X, responsibilities, mus, sigmas, pis)`` is accepted too);
- ``gmm(X, mus, sigmas, pis, n_iter)`` -> ``(mus, sigmas, pis, log_likelihoods)``.

The problems are drawn from a fixed seed, so every run (and every student) sees
the same cases. The student's function gets fresh float64 copies of the inputs,
numpy's floating-point warnings are silenced while it runs (the diagnosis says
more than "invalid value encountered in divide"), and whatever it raises is
reported in one sentence instead of a traceback from inside the checker. The
one exception is the ``NotImplementedError`` of an exercise not yet written
(the stub of the student version): it stays a ``NotImplementedError``, which
is how nbgrader tells an unanswered exercise from a wrong one.
"""

import inspect
import os
import sysconfig
import traceback
from dataclasses import dataclass

import numpy as np
from scipy.special import logsumexp, softmax

from . import _validation as v
from . import em

__all__ = [
    "check_gaussian_pdf",
    "check_log_likelihood",
    "check_e_step",
    "check_m_step",
    "check_gmm",
]

# --------------------------------------------------------------------------
# Cases and tolerances
# --------------------------------------------------------------------------

_SEED = 20240917
# For check_gmm: with this seed, EM with hard assignments (argmax responsibilities)
# lowers the log-likelihood in case 1, so that mistake is caught at once.
_GMM_SEED = 0

#: Relative tolerance for densities, responsibilities and log-likelihoods.
RTOL = 1e-6
#: Looser, for the M-step: a student who adds ``1e-6`` to the covariances'
#: diagonals (as scikit-learn does) still passes.
M_STEP_RTOL = 1e-5
#: Looser still, for a whole EM loop, where small differences grow.
GMM_RTOL = 1e-4
#: How far (in standard deviations of every component) the far-away point lies.
FAR_STD = 60.0

# (n_samples, n_features, n_components, with a far-away point)
_CASE_SIZES = (
    (5, 1, 1, False),
    (30, 1, 3, False),
    (40, 3, 2, False),
    (105, 2, 4, False),
    (200, 5, 4, False),
    (50, 2, 3, True),
)

# (n_samples, n_features, n_components, n_iter)
_GMM_CASE_SIZES = (
    (60, 1, 2, 15),
    (105, 2, 4, 25),
    (90, 3, 3, 15),
    (200, 5, 2, 10),
)

_LOG_SPACE = (
    "Work in log space: with a_ik = log(pis[k]) + log N(x_i | mus[k], sigmas[k]) and "
    "m_i = max_k a_ik, subtract the row maximum before exponentiating (log-sum-exp)"
)

_FORGOT_WEIGHTS = (
    "You seem to have forgotten the weights pis[k]: each column k must be multiplied by "
    "pis[k] (in log space: add log(pis[k]))."
)


@dataclass
class _Case:
    """One generated problem, and how to describe it in a message."""

    number: int
    total: int
    X: np.ndarray
    mus: np.ndarray
    sigmas: np.ndarray
    pis: np.ndarray
    far_rows: tuple = ()
    n_iter: int = None
    old: tuple = None  # for the M-step: the parameters before the step

    def describe(self):
        text = f"case {self.number} of {self.total}: X {self.X.shape}, K = {len(self.mus)}"
        if self.far_rows:
            text += ", with one point far from every component"
        if self.n_iter is not None:
            text += f", n_iter = {self.n_iter}"
        return text

    @property
    def params(self):
        return self.mus, self.sigmas, self.pis


def _random_covariance(rng, n_features):
    a = rng.normal(size=(n_features, n_features))
    sigma = a @ a.T / n_features + 0.5 * np.eye(n_features)
    return sigma * rng.uniform(0.5, 2.0)


def _mixture(rng, n_samples, n_features, n_components):
    """Parameters of a random mixture and ``n_samples`` points drawn from it."""
    mus = rng.normal(scale=4.0, size=(n_components, n_features))
    sigmas = np.array([_random_covariance(rng, n_features) for _ in range(n_components)])
    pis = rng.dirichlet(np.full(n_components, 4.0))
    chols = np.linalg.cholesky(sigmas)
    labels = rng.choice(n_components, size=n_samples, p=pis)
    noise = rng.standard_normal((n_samples, n_features))
    X = mus[labels] + np.einsum("nij,nj->ni", chols[labels], noise)
    return X, mus, sigmas, pis


def _mahalanobis(x, mus, sigmas):
    diffs = x - mus
    return np.sqrt(np.einsum("kd,kd->k", diffs, np.linalg.solve(sigmas, diffs[..., None])[..., 0]))


def _far_point(rng, mus, sigmas):
    """A point at least ``FAR_STD`` standard deviations from every component."""
    direction = rng.normal(size=mus.shape[1])
    direction /= np.linalg.norm(direction)
    centre = mus.mean(axis=0)
    step = 1.0
    while _mahalanobis(centre + step * direction, mus, sigmas).min() < FAR_STD:
        step *= 1.1
    return centre + step * direction


def _cases():
    """The six problems for the density, log-likelihood, E-step and M-step checks."""
    rng = np.random.default_rng(_SEED)
    cases = []
    for number, (n, d, k, far) in enumerate(_CASE_SIZES, start=1):
        X, mus, sigmas, pis = _mixture(rng, n, d, k)
        far_rows = ()
        if far:
            X = np.vstack([X, _far_point(rng, mus, sigmas)])
            far_rows = (len(X) - 1,)
        cases.append(_Case(number, len(_CASE_SIZES), X, mus, sigmas, pis, far_rows))
    return cases


def _m_step_start(case, rng):
    """Parameters one EM iteration "before" the case: the M-step's old parameters.

    The means are moved by about one standard deviation and the covariances
    widened, so the responsibilities they give are those of an EM run part way
    to convergence, and the new means differ clearly from the old ones.
    """
    scale = np.sqrt(np.einsum("kdd->kd", case.sigmas))
    mus = case.mus + rng.normal(size=case.mus.shape) * scale
    sigmas = case.sigmas * 1.5
    pis = np.full(len(case.mus), 1.0 / len(case.mus))
    return mus, sigmas, pis


def _gmm_cases():
    """The four problems for :func:`check_gmm`, each with a k-means++ start."""
    rng = np.random.default_rng(_GMM_SEED)
    cases = []
    for number, (n, d, k, n_iter) in enumerate(_GMM_CASE_SIZES, start=1):
        X, _, _, _ = _mixture(rng, n, d, k)
        start = em.initialize(X, k, method="kmeans++", random_state=rng)
        cases.append(_Case(number, len(_GMM_CASE_SIZES), X, *start, n_iter=n_iter))
    return cases


# --------------------------------------------------------------------------
# Running the student's function and reporting
# --------------------------------------------------------------------------


class _Failure(Exception):
    """A diagnosis for one case; :func:`_run` adds which case it was."""


class _NotWritten(Exception):
    """The student's function still raises the stub's NotImplementedError."""


def _run(name, fn, cases, check_case):
    """Run ``check_case(fn, case)`` on every case; report the first failure."""
    __tracebackhide__ = True
    if not callable(fn):
        raise TypeError(
            f"check_{name} expects your function itself, as in check_{name}({name}), "
            f"not the result of calling it; got {type(fn).__name__}"
        )
    for case in cases:
        try:
            check_case(fn, case)
        except _NotWritten:
            # Not a wrong answer but no answer yet: keep nbgrader's signal.
            raise NotImplementedError(
                f"{name} is not written yet: replace `raise NotImplementedError()` in it "
                f"with your code, run its cell, then run this check again."
            ) from None
        except _Failure as failure:
            text = str(failure)
            text = text[:1].upper() + text[1:]
            raise AssertionError(f"{name} failed on {case.describe()}.\n{text}") from None
    print(f"{name}: all {len(cases)} cases match the reference")
    return True


def _shapes_text(names, args):
    parts = []
    for name, arg in zip(names, args):
        if isinstance(arg, np.ndarray):
            parts.append(f"{name} {arg.shape}")
        else:
            parts.append(f"{name} = {arg!r}")
    return ", ".join(parts)


_LIBRARY_DIRS = tuple(
    os.path.normpath(p)
    for p in {sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["purelib"],
              sysconfig.get_paths()["platlib"], os.path.dirname(os.path.abspath(__file__))}
)


def _student_line(exc):
    """``"line 7 of e_step: `code`"`` for the deepest frame in the student's own code."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        path = os.path.normpath(os.path.abspath(frame.filename))
        if frame.filename.startswith("<") or path.startswith(_LIBRARY_DIRS):
            continue
        code = (frame.line or "").strip()
        return f"line {frame.lineno} of {frame.name}" + (f": `{code}`" if code else "")
    return None


def _call(fn, names, args):
    """``fn(*args)`` on copies of the arrays, as the student's code sees it.

    A raise, a ``None`` or an argument changed in place becomes a
    :class:`_Failure` that says so in words.
    """
    copies = [np.array(a) if isinstance(a, np.ndarray) else a for a in args]
    try:
        with np.errstate(all="ignore"):
            out = fn(*copies)
    except NotImplementedError:
        raise _NotWritten() from None
    except Exception as exc:  # the student's code may raise anything
        message = " ".join(str(exc).split())
        if len(message) > 300:
            message = message[:300] + " ..."
        text = (
            f"your function raised {type(exc).__name__}: {message} "
            f"on input of shape {_shapes_text(names, args)}."
        )
        where = _student_line(exc)
        if where:
            text += f"\nIt was raised at {where}."
        raise _Failure(text) from None
    for name, original, copy in zip(names, args, copies):
        if isinstance(original, np.ndarray) and not (
            isinstance(copy, np.ndarray)
            and copy.shape == original.shape
            and np.array_equal(copy, original, equal_nan=True)
        ):
            raise _Failure(
                f"your function changed its argument {name} in place. The caller still "
                f"needs it: work on a copy ({name} = {name}.copy()) or build new arrays."
            )
    if out is None:
        raise _Failure("your function returned None: did you forget to return?")
    return out


def _as_array(value, what):
    """``value`` as a float64 array, or a :class:`_Failure` naming ``what`` it is."""
    try:
        array = np.asarray(value)
        if np.iscomplexobj(array):
            raise _Failure(
                f"{what} contains complex numbers: a square root or log of a negative "
                f"number? Covariances and densities are real."
            )
        return array.astype(np.float64)
    except (TypeError, ValueError):
        raise _Failure(
            f"{what} is a {type(value).__name__}, which numpy cannot turn into an "
            f"array of numbers."
        ) from None


def _check_shape(array, expected, what, layout):
    if array.shape == expected:
        return
    if array.ndim == len(expected) and array.shape == expected[::-1]:
        raise _Failure(
            f"{what} has shape {array.shape} but should be {expected}: it looks "
            f"transposed. {layout}"
        )
    raise _Failure(f"{what} has shape {array.shape} but should be {expected}. {layout}")


def _close(a, b, rtol, atol):
    return a.shape == b.shape and bool(np.all(np.isclose(a, b, rtol=rtol, atol=atol)))


def _worst_entry(out, ref, rtol, atol, name):
    """Describe the entry of ``out`` farthest from ``ref`` (NaN counts as farthest)."""
    with np.errstate(all="ignore"):
        score = np.abs(out - ref) / (atol + rtol * np.abs(ref))
    score = np.where(np.isnan(score), np.inf, score)
    index = np.unravel_index(int(np.argmax(score)), out.shape)
    n_bad = int(np.count_nonzero(~np.isclose(out, ref, rtol=rtol, atol=atol)))
    where = f"[{', '.join(str(int(i)) for i in index)}]" if index else ""
    return (
        f"your {name}{where} is {out[index]:.6g} but the reference gives {ref[index]:.6g} "
        f"({n_bad} of {out.size} entries differ)."
    )


def _without_rows(X, rows):
    return np.delete(X, list(rows), axis=0)


# --------------------------------------------------------------------------
# gaussian_pdf
# --------------------------------------------------------------------------

_PDF_LAYOUT = "One row per sample of X, one column per component: shape (n_samples, K)."
_PDF_ATOL = 1e-300  # below this the densities are subnormal and carry few digits


def check_gaussian_pdf(fn):
    """Check a student's ``gaussian_pdf(X, mus, sigmas, pis)`` against the reference.

    It must return the WEIGHTED densities ``pis[k] * N(x_i | mus[k], sigmas[k])``
    as an array of shape (n_samples, K). Far from every component these
    underflow to 0.0, in the student's code as in the reference, and that is
    accepted: the far-away point matters for :func:`check_log_likelihood` and
    :func:`check_e_step`, where it must not turn into ``-inf`` or NaN.

    Parameters
    ----------
    fn : callable
        The student's ``gaussian_pdf(X, mus, sigmas, pis)``.

    Returns
    -------
    True
        When every case matches; one line is printed.

    Raises
    ------
    AssertionError
        At the first case that does not match, with what differs and, for a
        common mistake (transposed output, forgotten weights, log densities),
        what to change.
    NotImplementedError
        If ``fn`` still raises the student version's ``NotImplementedError``:
        the exercise is not written yet.
    TypeError
        If ``fn`` is not callable.
    """
    __tracebackhide__ = True
    return _run("gaussian_pdf", fn, _cases(), _check_gaussian_pdf_case)


def _check_gaussian_pdf_case(fn, case):
    X, (mus, sigmas, pis) = case.X, case.params
    raw = _call(fn, ("X", "mus", "sigmas", "pis"), (X, mus, sigmas, pis))
    out = _as_array(raw, "your output")
    _check_shape(out, (len(X), len(mus)), "your output", _PDF_LAYOUT)
    ref = em.gaussian_pdf(X, mus, sigmas, pis)
    if _close(out, ref, RTOL, _PDF_ATOL):
        return
    dtype = np.asarray(raw).dtype
    if dtype in (np.float16, np.float32) and _close(out, ref, 1e-3, np.finfo(dtype).tiny):
        tiny = ref[(ref > 0) & (ref < np.finfo(dtype).tiny)]
        raise _Failure(
            f"your output is {dtype}, which keeps about {np.finfo(dtype).precision} digits and "
            f"underflows to 0 below {np.finfo(dtype).tiny:.1e}"
            + (f" (the reference has densities as small as {tiny.min():.1e} here)"
               if tiny.size else "")
            + ". Use float64: drop dtype=np.float32 (np.zeros((n, K)) is float64)."
        )
    if _close(out, ref / pis, RTOL, _PDF_ATOL):
        raise _Failure(_FORGOT_WEIGHTS)
    if _close(out, em.log_gaussian_pdf(X, mus, sigmas, pis), RTOL, 1e-12):
        raise _Failure(
            "you returned the log densities: gaussian_pdf should return the weighted "
            "densities themselves (np.exp of the log densities). Keep your log version "
            "for log_likelihood and e_step."
        )
    raise _Failure(
        _worst_entry(out, ref, RTOL, _PDF_ATOL, "output")
        + "\nLook at the normalising constant (2 pi)^(-D/2) |sigmas[k]|^(-1/2), the "
        "quadratic form (x - mus[k]) @ inv(sigmas[k]) @ (x - mus[k]) with its factor -1/2, "
        "and the weight pis[k]."
    )


# --------------------------------------------------------------------------
# log_likelihood
# --------------------------------------------------------------------------


def check_log_likelihood(fn):
    """Check a student's ``log_likelihood(X, mus, sigmas, pis)`` against the reference.

    It must return the total ``sum_i log sum_k pis[k] N(x_i | mus[k], sigmas[k])``
    as one number. On the case with a point far from every component the
    densities underflow to 0, so a version that sums probabilities and then
    takes the log gives ``-inf``: the check says to use log-sum-exp.

    Parameters
    ----------
    fn : callable
        The student's ``log_likelihood(X, mus, sigmas, pis)``.

    Returns
    -------
    True
        When every case matches; one line is printed.

    Raises
    ------
    AssertionError
        At the first case that does not match, with a diagnosis for: an array
        instead of one number, ``-inf`` or NaN on the far-away point, forgotten
        weights, a mean instead of a sum, the log inside the sum over components.
    NotImplementedError
        If ``fn`` still raises the student version's ``NotImplementedError``:
        the exercise is not written yet.
    TypeError
        If ``fn`` is not callable.
    """
    __tracebackhide__ = True
    return _run("log_likelihood", fn, _cases(), _check_log_likelihood_case)


def _scalar(out):
    value = _as_array(out, "your output")
    if value.size != 1:
        if value.shape == (value.size,):
            raise _Failure(
                f"your output has shape {value.shape}, one value per sample (or component), "
                f"but log_likelihood must be one number: sum the per-sample "
                f"log-likelihoods log p(x_i) over all samples."
            )
        raise _Failure(
            f"your output has shape {value.shape}, but log_likelihood must be one number: "
            f"the log of the sum over components, summed over samples."
        )
    return float(value.ravel()[0])


def _check_log_likelihood_case(fn, case):
    X, (mus, sigmas, pis) = case.X, case.params
    names = ("X", "mus", "sigmas", "pis")
    out = _scalar(_call(fn, names, (X, mus, sigmas, pis)))
    ref = em.log_likelihood(X, mus, sigmas, pis)
    if np.isclose(out, ref, rtol=RTOL, atol=0):
        return
    if case.far_rows:
        # -inf, or right everywhere but at the far-away point: it is the underflow.
        far_only = not np.isfinite(out)
        if not far_only:
            X_near = _without_rows(X, case.far_rows)
            try:
                near = _scalar(_call(fn, names, (X_near, mus, sigmas, pis)))
            except _Failure:  # then the diagnoses below must do without it
                near = np.nan
            ref_near = em.log_likelihood(X_near, mus, sigmas, pis)
            far_only = bool(np.isclose(near, ref_near, rtol=RTOL, atol=0))
        if far_only:
            raise _Failure(
                f"your log-likelihood is {out:.6g}, but the reference gives {ref:.6g}. The "
                f"far-away point (row {case.far_rows[0]}) does it: its densities all "
                f"underflow to 0, and log(0) = -inf"
                + (" (a small number added before the log only hides that). "
                   if np.isfinite(out) else ". ")
                + f"{_LOG_SPACE}: log p(x_i) = m_i + log sum_k exp(a_ik - m_i)."
            )
    log_prob = em.log_gaussian_pdf(X, mus, sigmas, pis)
    if np.isclose(out, logsumexp(log_prob - np.log(pis), axis=1).sum(), rtol=RTOL, atol=0):
        raise _Failure(_FORGOT_WEIGHTS)
    if np.isclose(out, ref / len(X), rtol=RTOL, atol=0):
        raise _Failure(
            f"you returned the mean log-likelihood per sample ({out:.6g}); log_likelihood is "
            f"the total over samples, {ref:.6g}. Use a sum, not a mean."
        )
    if np.isclose(out, log_prob.sum(), rtol=RTOL, atol=0):
        raise _Failure(
            "you summed the logs over components: the log-likelihood of a sample is the "
            "log of the SUM over components, log sum_k pis[k] N(x_i | mus[k], sigmas[k]), "
            "not sum_k log(...)."
        )
    raise _Failure(
        f"your log-likelihood is {out:.6g} but the reference gives {ref:.6g}.\n"
        f"It should be sum_i log sum_k pis[k] N(x_i | mus[k], sigmas[k]): natural logs, "
        f"weighted densities, summed over samples. Run check_gaussian_pdf on your "
        f"densities first."
    )


# --------------------------------------------------------------------------
# e_step
# --------------------------------------------------------------------------


def check_e_step(fn):
    """Check a student's ``e_step(X, mus, sigmas, pis)`` against the reference.

    It must return the responsibilities ``gamma_ik = p(z_i = k | x_i)``, shape
    (n_samples, K), every row summing to 1. On the case with a point far from
    every component, dividing densities by their sum is 0/0 = NaN: the check
    says to subtract the row maximum in log space first.

    Parameters
    ----------
    fn : callable
        The student's ``e_step(X, mus, sigmas, pis)``.

    Returns
    -------
    True
        When every case matches; one line is printed.

    Raises
    ------
    AssertionError
        At the first case that does not match, with a diagnosis for: transposed
        or wrongly shaped output, NaN (or a wrong row) at the far-away point,
        normalisation over the wrong axis, rows that do not sum to 1, forgotten
        weights.
    NotImplementedError
        If ``fn`` still raises the student version's ``NotImplementedError``:
        the exercise is not written yet.
    TypeError
        If ``fn`` is not callable.
    """
    __tracebackhide__ = True
    return _run("e_step", fn, _cases(), _check_e_step_case)


def _far_point_failure(case, rows, what):
    return _Failure(
        f"your responsibilities {what} in row {rows[0]}, the point far from every "
        f"component: its densities all underflow to 0 (and 0/0 is NaN). {_LOG_SPACE}: "
        f"gamma_ik = exp(a_ik - m_i) / sum_j exp(a_ij - m_i)."
    )


def _check_e_step_case(fn, case):
    X, (mus, sigmas, pis) = case.X, case.params
    n, k = len(X), len(mus)
    out = _as_array(_call(fn, ("X", "mus", "sigmas", "pis"), (X, mus, sigmas, pis)),
                    "your output")
    _check_shape(out, (n, k), "your output", _PDF_LAYOUT)
    far = set(case.far_rows)
    bad_rows = np.flatnonzero(~np.all(np.isfinite(out), axis=1))
    if len(bad_rows) and set(bad_rows) <= far:
        what = "contain NaN" if np.isnan(out[bad_rows]).any() else "contain inf"
        raise _far_point_failure(case, bad_rows, what)
    ref = em.e_step(X, mus, sigmas, pis)
    if _close(out, ref, RTOL, 1e-10):
        return
    row_sums = out.sum(axis=1)
    if np.allclose(out.sum(axis=0), 1.0, atol=v.SUM_TO_ONE_ATOL) and not np.allclose(
        row_sums, 1.0, atol=v.SUM_TO_ONE_ATOL
    ):
        raise _Failure(
            "your COLUMNS sum to 1, not your rows: you normalised over samples (axis=0). "
            "Each sample's responsibilities are a distribution over components: divide each "
            "row by its sum (axis=1, keepdims=True)."
        )
    wrong_rows = np.flatnonzero(~np.isclose(row_sums, 1.0, atol=v.SUM_TO_ONE_ATOL))
    if len(wrong_rows) and set(wrong_rows) <= far:
        raise _far_point_failure(case, wrong_rows, f"sum to {row_sums[wrong_rows[0]]:.3g}")
    finite_wrong = [i for i in wrong_rows if np.isfinite(row_sums[i])]
    if finite_wrong:
        i = finite_wrong[0]
        raise _Failure(
            f"the rows of your responsibilities do not sum to 1 (row {i} sums to "
            f"{row_sums[i]:.6g}): normalise over components (axis=1), dividing each row by "
            f"its sum."
        )
    wrong = np.flatnonzero(~np.all(np.isclose(out, ref, rtol=RTOL, atol=1e-10), axis=1))
    if len(wrong) and set(wrong) <= far:
        raise _Failure(
            f"your responsibilities are right except in row {wrong[0]}, the point far from "
            f"every component: yours are {np.round(out[wrong[0]], 4)}, the reference's "
            f"{np.round(ref[wrong[0]], 4)}. A small number added to avoid 0/0 hides the "
            f"problem without solving it. {_LOG_SPACE}."
        )
    log_prob = em.log_gaussian_pdf(X, mus, sigmas, pis)
    if _close(out, softmax(log_prob - np.log(pis), axis=1), RTOL, 1e-10):
        raise _Failure(_FORGOT_WEIGHTS)
    raise _Failure(
        _worst_entry(out, ref, RTOL, 1e-10, "responsibilities")
        + "\nResponsibilities are the weighted densities pis[k] N(x_i | mus[k], sigmas[k]) "
        "divided by their sum over components. Run check_gaussian_pdf first."
    )


# --------------------------------------------------------------------------
# Parameters (shared by m_step and gmm)
# --------------------------------------------------------------------------


def _check_params_output(out, n_components, n_features, n_extra=0, extra_text=""):
    """Unpack and shape-check ``(mus, sigmas, pis[, extra])`` returned by the student."""
    n_values = 3 + n_extra
    expected = "(mus, sigmas, pis" + extra_text + ")"
    if not isinstance(out, (tuple, list)):
        raise _Failure(
            f"your function returned a {type(out).__name__}; it should return the "
            f"{n_values} values {expected}."
        )
    if len(out) != n_values:
        raise _Failure(
            f"your function returned {len(out)} values; it should return the {n_values} "
            f"values {expected}, in that order."
        )
    k, d = n_components, n_features
    mus = _as_array(out[0], "your mus")
    _check_shape(mus, (k, d), "your mus", "One row per component: shape (K, D).")
    sigmas = _as_array(out[1], "your sigmas")
    _check_shape(sigmas, (k, d, d), "your sigmas", "One D x D matrix per component.")
    pis = _as_array(out[2], "your pis")
    if pis.size != k or pis.ndim > 2:
        raise _Failure(
            f"your pis has shape {pis.shape} but should have K = {k} entries, one weight "
            f"per component."
        )
    return (mus, sigmas, pis.ravel(), *out[3:])


def _check_weights_and_symmetry(pis, sigmas, n_samples):
    if abs(pis.sum() - 1.0) > v.SUM_TO_ONE_ATOL:
        hint = ""
        if np.isclose(pis.sum(), n_samples, rtol=1e-6):
            hint = f" (that is n = {n_samples}: you forgot to divide N_k by n)"
        raise _Failure(
            f"your weights pis sum to {pis.sum():.6g} instead of 1{hint}. The weight of "
            f"component k is pis[k] = N_k / n, with N_k = sum_i gamma_ik and n the number "
            f"of samples."
        )
    for k, sigma in enumerate(sigmas):
        asym = np.abs(sigma - sigma.T)
        if asym.max() > v.SYMMETRY_RTOL * np.abs(sigma).max():
            i, j = np.unravel_index(int(np.argmax(asym)), asym.shape)
            raise _Failure(
                f"your covariances are not symmetric: sigmas[{k}][{i}, {j}] = "
                f"{sigma[i, j]:.6g} but sigmas[{k}][{j}, {i}] = {sigma[j, i]:.6g}. "
                f"Did you fill only one triangle, or put different vectors on the two sides "
                f"of the outer product? sigmas[k] = sum_i gamma_ik d_i d_i^T / N_k, with the "
                f"same deviation d_i = x_i - mus_new[k] on both sides."
            )


def _covariances_about(X, responsibilities, centres):
    """Weighted covariances about given ``centres`` (the old means, for a diagnosis)."""
    nk = responsibilities.sum(axis=0)
    sigmas = np.empty((len(centres), X.shape[1], X.shape[1]))
    for k, centre in enumerate(centres):
        d = X - centre
        sigmas[k] = (responsibilities[:, k, None] * d).T @ d / nk[k]
    return sigmas


_OLD_MEANS = (
    "your covariances are computed around the old means: use the new means mus_new[k] "
    "(compute the means first, then sigmas[k] = sum_i gamma_ik (x_i - mus_new[k]) "
    "(x_i - mus_new[k])^T / N_k)."
)


def _params_atol(reference):
    return M_STEP_RTOL * max(1.0, float(np.abs(reference).max()))


# --------------------------------------------------------------------------
# m_step
# --------------------------------------------------------------------------


def _m_step_arity(fn):
    """2 for ``m_step(X, responsibilities)``, 5 for the seed's signature."""
    try:
        parameters = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):  # a builtin or other object without a signature
        return 2
    positional = [p for p in parameters
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    required = [p for p in positional if p.default is p.empty]
    if any(p.kind == p.VAR_POSITIONAL for p in parameters) or len(required) <= 2:
        return 2
    if len(required) == 5:
        return 5
    names = ", ".join(p.name for p in positional)
    raise AssertionError(
        f"m_step should take (X, responsibilities), or the seed notebook's "
        f"(X, responsibilities, mus, sigmas, pis); yours takes ({names})."
    )


def check_m_step(fn):
    """Check a student's M-step against the reference.

    Accepted signatures: ``m_step(X, responsibilities)`` and the seed
    notebook's ``m_step(X, responsibilities, mus, sigmas, pis)`` (detected from
    the signature; it is given the parameters before the step). It must return
    ``(mus, sigmas, pis)`` of shapes (K, D), (K, D, D) and K entries; ``pis`` of
    shape (K, 1) or (1, K) is accepted. It is compared with the reference
    :func:`gmm_teach.em.m_step` without regularisation, with a tolerance that
    lets a student add a small ``reg_covar`` such as 1e-6 to the diagonals.

    Parameters
    ----------
    fn : callable
        The student's M-step.

    Returns
    -------
    True
        When every case matches; one line is printed.

    Raises
    ------
    AssertionError
        At the first case that does not match, with a diagnosis for: wrong
        number of values or shapes, weights that do not sum to 1, covariances
        that are not symmetric, covariances computed around the old means.
        Also raised at once for a signature that is neither of the two above.
    NotImplementedError
        If ``fn`` still raises the student version's ``NotImplementedError``:
        the exercise is not written yet.
    TypeError
        If ``fn`` is not callable.
    """
    __tracebackhide__ = True
    arity = _m_step_arity(fn) if callable(fn) else 2
    rng = np.random.default_rng(_SEED + 2)
    cases = _cases()
    for case in cases:
        case.old = _m_step_start(case, rng)
    return _run("m_step", fn, cases, lambda fn, case: _check_m_step_case(fn, case, arity))


def _check_m_step_case(fn, case, arity):
    X = case.X
    old_mus, old_sigmas, old_pis = case.old
    responsibilities = em.e_step(X, old_mus, old_sigmas, old_pis)
    names = ("X", "responsibilities", "mus", "sigmas", "pis")[:arity]
    args = (X, responsibilities, old_mus, old_sigmas, old_pis)[:arity]
    out = _call(fn, names, args)
    k, d = old_mus.shape
    mus, sigmas, pis = _check_params_output(out, k, d)
    _check_weights_and_symmetry(pis, sigmas, len(X))
    ref = em.m_step(X, responsibilities, reg_covar=0.0)
    for name, mine, theirs in (("mus", mus, ref.mus), ("pis", pis, ref.pis)):
        if not _close(mine, theirs, M_STEP_RTOL, _params_atol(theirs)):
            raise _Failure(
                _worst_entry(mine, theirs, M_STEP_RTOL, _params_atol(theirs), name)
                + "\nWith N_k = sum_i gamma_ik: mus[k] = sum_i gamma_ik x_i / N_k and "
                "pis[k] = N_k / n."
            )
    if _close(sigmas, ref.sigmas, M_STEP_RTOL, _params_atol(ref.sigmas)):
        return
    old_centred = _covariances_about(X, responsibilities, old_mus)
    if _close(sigmas, old_centred, M_STEP_RTOL, _params_atol(ref.sigmas)):
        raise _Failure(_OLD_MEANS)
    raise _Failure(
        _worst_entry(sigmas, ref.sigmas, M_STEP_RTOL, _params_atol(ref.sigmas), "sigmas")
        + "\nsigmas[k] = sum_i gamma_ik (x_i - mus[k]) (x_i - mus[k])^T / N_k: weighted by "
        "the responsibilities, divided by N_k (not n), around the new means."
    )


# --------------------------------------------------------------------------
# gmm (the whole loop)
# --------------------------------------------------------------------------


def check_gmm(fn):
    """Check a student's whole EM loop against the reference :func:`~gmm_teach.em.fit_gmm`.

    The contract: ``gmm(X, mus, sigmas, pis, n_iter)`` starts from the given
    parameters, runs exactly ``n_iter`` EM iterations (E-step, then M-step,
    without regularisation and without stopping early) and returns
    ``(mus, sigmas, pis, log_likelihoods)``: the final parameters and a list
    with the total log-likelihood after each iteration (``n_iter`` numbers).
    Also accepted: ``n_iter + 1`` numbers that start with the log-likelihood of
    the starting parameters, or ``n_iter`` numbers computed at each E-step
    (under the parameters before the M-step).

    It is compared with ``fit_gmm(X, init=(mus, sigmas, pis), tol=0,
    max_iter=n_iter, reg_covar=0)``; since both start from the same
    parameters, the components come out in the same order.

    Parameters
    ----------
    fn : callable
        The student's ``gmm(X, mus, sigmas, pis, n_iter)``.

    Returns
    -------
    True
        When every case matches; one line is printed.

    Raises
    ------
    AssertionError
        At the first case that does not match, with a diagnosis for: wrong
        return values, a log-likelihood that decreases (with the iteration),
        weights that do not sum to 1, covariances around the old means.
    NotImplementedError
        If ``fn`` still raises the student version's ``NotImplementedError``:
        the exercise is not written yet.
    TypeError
        If ``fn`` is not callable.
    """
    __tracebackhide__ = True
    return _run("gmm", fn, _gmm_cases(), _check_gmm_case)


def _em_old_means(X, params, n_iter):
    """The seed notebook's loop: EM whose covariances are taken about the old means.

    Returns the final parameters and the log-likelihoods of the start and after
    every iteration (``n_iter + 1`` numbers, like ``EMResult.log_likelihoods``).
    """
    mus, sigmas, pis = params
    lls = [em.log_likelihood(X, mus, sigmas, pis)]
    for _ in range(n_iter):
        resp = em.e_step(X, mus, sigmas, pis)
        nk = resp.sum(axis=0)
        sigmas = _covariances_about(X, resp, mus)
        mus = resp.T @ X / nk[:, None]
        pis = nk / nk.sum()
        lls.append(em.log_likelihood(X, mus, sigmas, pis))
    return (mus, sigmas, pis), np.array(lls)


def _matches_run(params, lls, run_params, run_lls):
    """Do the student's parameters and log-likelihoods match a run (any LL convention)?"""
    for mine, theirs in zip(params, run_params):
        if not _close(mine, theirs, GMM_RTOL, GMM_RTOL * max(1.0, float(np.abs(theirs).max()))):
            return False
    return _lls_match(lls, run_lls)


def _ll_conventions(lls, run_lls):
    """The reference log-likelihoods in the accepted conventions for ``len(lls)``."""
    if len(lls) == len(run_lls):
        return [run_lls]  # starts with the log-likelihood of the start
    return [run_lls[1:], run_lls[:-1]]  # after each iteration, or at each E-step


def _lls_match(lls, run_lls):
    return any(_close(lls, c, GMM_RTOL, 0.0) for c in _ll_conventions(lls, run_lls))


def _check_gmm_case(fn, case):
    X, n_iter = case.X, case.n_iter
    names = ("X", "mus", "sigmas", "pis", "n_iter")
    out = _call(fn, names, (X, *case.params, n_iter))
    k, d = case.mus.shape
    mus, sigmas, pis, lls = _check_params_output(out, k, d, 1, ", log_likelihoods")
    lls = _as_array(lls, "your log_likelihoods")
    if lls.ndim != 1 or len(lls) not in (n_iter, n_iter + 1):
        raise _Failure(
            f"your log_likelihoods has shape {lls.shape}, but should be a list of n_iter = "
            f"{n_iter} numbers, the total log-likelihood after each iteration."
        )
    _check_weights_and_symmetry(pis, sigmas, len(X))
    ref = em.fit_gmm(X, init=case.params, tol=0.0, max_iter=n_iter, reg_covar=0.0)
    ref_params = (ref.mus, ref.sigmas, ref.pis)
    if _matches_run((mus, sigmas, pis), lls, ref_params, ref.log_likelihoods):
        return
    # Something differs. The most specific diagnosis first: the seed's M-step.
    # (Its fixed points are EM's, so after many iterations the parameters can
    # agree; the log-likelihoods on the way there do not.)
    if _matches_run((mus, sigmas, pis), lls, *_em_old_means(X, case.params, n_iter)):
        raise _Failure(_OLD_MEANS)
    with np.errstate(invalid="ignore"):
        drops = lls[1:] < lls[:-1] - 1e-8 * np.maximum(1.0, np.abs(lls[:-1]))
    if np.any(drops):
        t = int(np.argmax(drops)) + 1
        iteration = t if len(lls) == n_iter + 1 else t + 1  # lls[0] is after iteration 1
        raise _Failure(
            f"your log-likelihood decreased at iteration {iteration}: from {lls[t - 1]:.6f} "
            f"(log_likelihoods[{t - 1}]) to {lls[t]:.6f} (log_likelihoods[{t}]). EM never "
            f"decreases it, so one of your steps is wrong: run check_e_step and check_m_step "
            f"on your functions. One mistake that does this: hard assignments (the argmax "
            f"of the responsibilities) in place of the responsibilities themselves."
        )
    for name, mine, theirs in zip(("mus", "sigmas", "pis"), (mus, sigmas, pis), ref_params):
        atol = GMM_RTOL * max(1.0, float(np.abs(theirs).max()))
        if not _close(mine, theirs, GMM_RTOL, atol):
            raise _Failure(
                f"after {n_iter} iterations, "
                + _worst_entry(mine, theirs, GMM_RTOL, atol, name)
                + "\nEach iteration must run the E-step on the current parameters, then the "
                "M-step on those responsibilities, and keep all three new parameters. Run "
                "check_e_step and check_m_step on your functions first."
            )
    expected = _ll_conventions(lls, ref.log_likelihoods)[0]
    raise _Failure(
        "your parameters are right, but your log_likelihoods are not: "
        + _worst_entry(lls, expected, GMM_RTOL, 0.0, "log_likelihoods")
        + "\nAppend log_likelihood(X, mus, sigmas, pis), the total over samples, once per "
        "iteration, after the M-step."
    )
