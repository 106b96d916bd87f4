"""Tests of lesson 02's checks: ``check_log_sum_exp`` and ``check_log_likelihood``.

Right answers written independently of gmm_teach (numpy loops, scipy.stats)
pass with the exact one line; each typical mistake gets its own sentence.
"""

import math

import numpy as np
import pytest
import scipy.special
from scipy.stats import multivariate_normal

from gmm_teach.checks import check_log_likelihood, check_log_sum_exp

# --------------------------------------------------------------------------
# log_sum_exp(a, axis)
# --------------------------------------------------------------------------


def lse_right(a, axis):
    m = np.max(a, axis=axis, keepdims=True)
    return np.squeeze(m, axis=axis) + np.log(np.sum(np.exp(a - m), axis=axis))


def lse_loop(a, axis):
    """One row at a time with math.fsum, in pure Python: an independent right answer."""
    moved = np.moveaxis(np.asarray(a, dtype=float), axis, -1)
    out = np.empty(moved.shape[:-1])
    for index in np.ndindex(out.shape):
        row = moved[index]
        m = max(row)
        out[index] = m + math.log(math.fsum(math.exp(x - m) for x in row))
    return out if out.ndim else float(out)


def lse_logaddexp(a, axis):
    return np.logaddexp.reduce(a, axis=axis)


def lse_as_list(a, axis):
    return lse_right(a, axis).tolist()


def lse_naive(a, axis):
    return np.log(np.sum(np.exp(a), axis=axis))


def lse_shift_only_below_zero(a, axis):
    """Guards against underflow only: rows whose maximum is positive are not shifted."""
    m = np.minimum(np.max(a, axis=axis, keepdims=True), 0.0)
    return np.squeeze(m, axis=axis) + np.log(np.sum(np.exp(a - m), axis=axis))


def lse_max_not_added_back(a, axis):
    m = np.max(a, axis=axis, keepdims=True)
    return np.log(np.sum(np.exp(a - m), axis=axis))


def lse_keepdims(a, axis):
    m = np.max(a, axis=axis, keepdims=True)
    return m + np.log(np.sum(np.exp(a - m), axis=axis, keepdims=True))


def lse_m_without_keepdims(a, axis):
    m = np.max(a, axis=axis)
    return m + np.log(np.sum(np.exp(a - m), axis=axis))


def lse_last_axis(a, axis):
    m = np.max(a, axis=-1, keepdims=True)
    return m[..., 0] + np.log(np.sum(np.exp(a - m), axis=-1))


def lse_first_axis(a, axis):
    m = np.max(a, axis=0, keepdims=True)
    return m[0] + np.log(np.sum(np.exp(a - m), axis=0))


def lse_whole_array(a, axis):
    m = np.max(a)
    return m + np.log(np.sum(np.exp(a - m)))


def lse_mean(a, axis):
    c = np.mean(a, axis=axis, keepdims=True)
    return np.squeeze(c, axis=axis) + np.log(np.sum(np.exp(a - c), axis=axis))


def lse_no_sum(a, axis):
    m = np.max(a, axis=axis, keepdims=True)
    return m + np.log(np.exp(a - m))


def lse_no_log(a, axis):
    m = np.max(a, axis=axis, keepdims=True)
    return np.squeeze(m, axis=axis) + np.sum(np.exp(a - m), axis=axis)


def lse_max_only(a, axis):
    return np.max(a, axis=axis)


def lse_nan_on_minus_inf(a, axis):
    """Right but for rows with -inf entries, which it turns into NaN."""
    a = np.where(np.isneginf(a), np.nan, a)
    m = np.nanmax(a, axis=axis, keepdims=True)
    return np.squeeze(m, axis=axis) + np.log(np.sum(np.exp(a - m), axis=axis))


def lse_log10(a, axis):
    m = np.max(a, axis=axis, keepdims=True)
    return np.squeeze(m, axis=axis) + np.log10(np.sum(np.exp(a - m), axis=axis))


def lse_scipy(a, axis):
    return scipy.special.logsumexp(a, axis=axis)


@pytest.mark.parametrize("fn", [lse_right, lse_loop, lse_logaddexp, lse_as_list],
                         ids=lambda f: f.__name__)
def test_log_sum_exp_right_answers_pass(fn, capsys):
    assert check_log_sum_exp(fn) is None
    assert capsys.readouterr().out == "log_sum_exp: all 7 cases match the reference\n"


@pytest.mark.parametrize(
    "fn, expected",
    [
        (lse_naive,
         r"case 4 of 7: a \(3, 4\) with very negative entries.*\nYour result\[0\] is -inf where "
         r"the reference gives -999\.759: every exp\(a\) there underflows to 0 \(np\.exp returns 0 "
         r"below about -745"),
        (lse_shift_only_below_zero,
         r"case 5 of 7: a \(3, 3\) with very large entries.*\nYour result\[0\] is inf where the "
         r"reference gives 1000\.41: exp of the entry 1000 overflows to inf"),
        (lse_max_not_added_back,
         r"case 1 of 7.*\nYour result is the reference minus the maximum m: .* did not add it back"),
        (lse_keepdims, r"case 1 of 7.*\nYour output has shape \(1,\), but should be \(\): you kept "
                       r"the summed axis as length 1 \(keepdims\)"),
        (lse_m_without_keepdims, r"case 2 of 7: a \(4, 4\).*\nYou subtracted the maxima of the "
                                 r"wrong rows: .*keepdims=True"),
        (lse_last_axis, r"case 3 of 7: a \(3, 5\).*, axis = 0\.\nYour output has shape \(3,\), but "
                        r"should be \(5,\): you reduced axis 1 of a \(3, 5\), not axis = 0"),
        (lse_first_axis, r"case 2 of 7.*\nYou reduced axis 0, not axis = 1: use the axis argument"),
        (lse_whole_array, r"case 2 of 7.*\nYour output is one number, but should have shape "
                          r"\(4,\): you summed over the whole array"),
        (lse_mean, r"case 4 of 7.*\nYour result\[2\] is inf where the reference gives -2: an "
                   r"exponential overflowed to inf, .*\(the mean\? the minimum\?\)"),
        (lse_no_sum, r"case 1 of 7.*\nYour output has the shape of a, \(4,\), but should be \(\): "
                     r"sum the exponentials"),
        (lse_no_log, r"case 1 of 7.*\nYou added the sum of exp\(a - m\) to m, not its log"),
        (lse_max_only, r"case 1 of 7.*\nYou returned the maximum m alone"),
        (lse_nan_on_minus_inf,
         r"case 6 of 7: a \(3, 3\) with -inf entries in rows whose maximum is finite, axis = -1\."
         r"\nYour result\[0\] is nan .*in a row with -inf entries: .*exp\(-inf\) = 0 is exactly "
         r"right"),
        (lse_log10, r"case 1 of 7.*\nYour output is 2\.\d+ but the reference gives 2\.\d+\.\n"
                    r"With m the maximum"),
        (lse_scipy, r"case 1 of 7.*\nYour function calls scipy\.special\.logsumexp, which does "
                    r"the very work"),
    ],
    ids=["naive_underflow", "naive_overflow", "max_not_added_back", "keepdims",
         "m_without_keepdims", "last_axis", "first_axis", "whole_array", "mean", "no_sum",
         "no_log", "max_only", "nan_on_minus_inf", "log10", "scipy"],
)
def test_log_sum_exp_diagnoses(fn, expected):
    with pytest.raises(AssertionError, match=expected):
        check_log_sum_exp(fn)


def test_log_sum_exp_square_broadcast_is_named():
    """m with keepdims plus a sum without: (n, 1) + (n,) broadcasts to (n, n)."""
    def square(a, axis):
        if a.ndim == 1:  # get past case 1, where the shape is (1,)
            return lse_right(a, axis)
        m = np.max(a, axis=axis, keepdims=True)
        return m + np.log(np.sum(np.exp(a - m), axis=axis))

    with pytest.raises(AssertionError, match=r"case 2 of 7.*\nYour output has shape \(4, 4\), "
                                             r"but should be \(4,\): the maximum m with keepdims"):
        check_log_sum_exp(square)


def test_log_sum_exp_stub_is_not_written():
    def stub(a, axis):
        raise NotImplementedError()

    with pytest.raises(NotImplementedError, match="log_sum_exp is not written yet"):
        check_log_sum_exp(stub)


def test_log_sum_exp_cases_hold_what_the_lesson_promises():
    """Rows near -1000 and +1000 break the naive formula; -inf rows have a finite maximum."""
    from gmm_teach.checks.log_sum_exp import _problems

    cases = _problems()
    with np.errstate(all="ignore"):
        naive = [lse_naive(c.data["a"], c.data["axis"]) for c in cases]
    assert any(np.isneginf(n).any() for n in naive) and any(np.isposinf(n).any() for n in naive)
    minus_inf = [c for c in cases if np.isneginf(c.data["a"]).any()]
    assert minus_inf
    for case in minus_inf:
        assert np.isfinite(np.max(case.data["a"], axis=case.data["axis"])).all()
    assert {c.data["a"].ndim for c in cases} == {1, 2, 3}


# --------------------------------------------------------------------------
# log_likelihood(X, mus, sigmas, pis), as lesson 02 asks for it
# --------------------------------------------------------------------------


def ll_with_own_log_sum_exp(X, mus, sigmas, pis):
    """The lesson's way: the log weighted densities by hand, then log-sum-exp along axis 1."""
    n_features = X.shape[1]
    log_weighted = np.empty((len(X), len(mus)))
    for k in range(len(mus)):
        diff = X - mus[k]
        chol = np.linalg.cholesky(sigmas[k])
        z = np.linalg.solve(chol, diff.T)
        log_det = 2 * np.sum(np.log(np.diag(chol)))
        log_weighted[:, k] = np.log(pis[k]) - 0.5 * (n_features * np.log(2 * np.pi) + log_det
                                                     + np.sum(z**2, axis=0))
    return float(np.sum(lse_loop(log_weighted, 1)))


def ll_scipy(X, mus, sigmas, pis):
    return float(sum(np.logaddexp.reduce([np.log(pis[k]) + multivariate_normal(
        mus[k], sigmas[k]).logpdf(x) for k in range(len(mus))]) for x in X))


def ll_with_naive_log_sum_exp(X, mus, sigmas, pis):
    n_features = X.shape[1]
    log_weighted = np.empty((len(X), len(mus)))
    for k in range(len(mus)):
        diff = X - mus[k]
        d2 = np.sum(diff * np.linalg.solve(sigmas[k], diff.T).T, axis=1)
        log_weighted[:, k] = np.log(pis[k]) - 0.5 * (n_features * np.log(2 * np.pi)
                                                     + np.linalg.slogdet(sigmas[k])[1] + d2)
    return float(np.sum(lse_naive(log_weighted, 1)))


def ll_over_samples(X, mus, sigmas, pis):
    log_weighted = np.column_stack([np.log(pis[k]) + multivariate_normal(mus[k], sigmas[k]).logpdf(X)
                                    for k in range(len(mus))]).reshape(len(X), len(mus))
    return float(np.sum(lse_right(log_weighted, 0)))


def _ll_by_points(X, mus, sigmas, pis, halve=("two_pi", "det", "quad"), d_times=True,
                  inverse=True):
    """Point by point with math.fsum: the log-likelihood, optionally with slips in a_ik."""
    d = X.shape[1]
    total = []
    for x in X:
        a = []
        for k in range(len(mus)):
            matrix = np.linalg.inv(sigmas[k]) if inverse else np.asarray(sigmas[k])
            terms = {"two_pi": (d if d_times else 1) * math.log(2 * math.pi),
                     "det": math.log(np.linalg.det(sigmas[k])),
                     "quad": float((x - mus[k]) @ matrix @ (x - mus[k]))}
            a.append(math.log(pis[k]) - math.fsum(0.5 * v if name in halve else v
                                                  for name, v in terms.items()))
        m = max(a)
        total.append(m + math.log(math.fsum(math.exp(v - m) for v in a)))
    return math.fsum(total)


def ll_log_det_not_halved(X, mus, sigmas, pis):
    return _ll_by_points(X, mus, sigmas, pis, halve=("two_pi", "quad"))


def ll_quadratic_not_halved(X, mus, sigmas, pis):
    return _ll_by_points(X, mus, sigmas, pis, halve=("two_pi", "det"))


def ll_log_two_pi_not_halved(X, mus, sigmas, pis):
    return _ll_by_points(X, mus, sigmas, pis, halve=("det", "quad"))


def ll_log_two_pi_not_times_d(X, mus, sigmas, pis):
    return _ll_by_points(X, mus, sigmas, pis, d_times=False)


def ll_sigma_not_inverse(X, mus, sigmas, pis):
    return _ll_by_points(X, mus, sigmas, pis, inverse=False)


def ll_two_slips(X, mus, sigmas, pis):
    """Neither the log-determinant nor the quadratic form halved: the general checklist."""
    return _ll_by_points(X, mus, sigmas, pis, halve=("two_pi",))


def ll_with_gmm_teach(X, mus, sigmas, pis):
    import gmm_teach

    return float(np.sum(lse_right(gmm_teach.log_gaussian_pdf(X, mus, sigmas, pis), 1)))


@pytest.mark.parametrize("fn", [ll_with_own_log_sum_exp, ll_scipy, _ll_by_points],
                         ids=lambda f: f.__name__)
def test_log_likelihood_right_answers_pass(fn, capsys):
    assert check_log_likelihood(fn) is None
    assert capsys.readouterr().out == "log_likelihood: all 6 cases match the reference\n"


@pytest.mark.parametrize(
    "fn, expected",
    [
        (ll_with_naive_log_sum_exp,
         r"case 6 of 6: X \(51, 2\), K = 3, with one point far from every component\.\n"
         r"Your log-likelihood is -inf, .*The far-away point \(row 50\) does it"),
        (ll_over_samples, r"case 1 of 6.*\nYou took log-sum-exp over the samples \(axis 0\), "
                          r"not over the components: .*log_sum_exp\(a, axis=1\)"),
        (ll_log_det_not_halved,
         r"case 1 of 6.*\nYour log-likelihood is what a_ik gives with the whole "
         r"log\|sigmas\[k\]\| subtracted: the log-determinant lacks its factor 1/2\. The log "
         r"weighted density is a_ik = log pis\[k\] - 1/2 \(D log\(2 pi\) \+ log\|sigmas\[k\]\|"),
        (ll_quadratic_not_halved, r"case 1 of 6.*\nYour log-likelihood is what a_ik gives with "
                                  r"the whole squared Mahalanobis distance subtracted"),
        (ll_log_two_pi_not_halved, r"case 1 of 6.*\nYour log-likelihood is what a_ik gives "
                                   r"with the whole D log\(2 pi\) subtracted"),
        (ll_log_two_pi_not_times_d, r"case 3 of 6: X \(40, 3\), K = 2\.\nYour log-likelihood "
                                    r"is what a_ik gives with log\(2 pi\) where it needs "
                                    r"D log\(2 pi\)"),
        (ll_sigma_not_inverse, r"case 1 of 6.*\nYour log-likelihood is what a_ik gives with "
                               r"sigmas\[k\] in the quadratic form where it needs its inverse"),
        (ll_two_slips, r"case 1 of 6.*\nYour log-likelihood is .* but the reference gives .*\n"
                       r"It should be .*Check each term of a_ik = .*along axis 1"),
        (ll_with_gmm_teach, r"Your function calls gmm_teach's own log_gaussian_pdf, which does "
                            r"the very work"),
    ],
    ids=["naive_log_sum_exp", "over_samples", "log_det_not_halved", "quadratic_not_halved",
         "log_two_pi_not_halved", "log_two_pi_not_times_d", "sigma_not_inverse", "two_slips",
         "gmm_teach_refused"],
)
def test_log_likelihood_diagnoses(fn, expected):
    with pytest.raises(AssertionError, match=expected):
        check_log_likelihood(fn)


def lse_global_max(a, axis):
    """The maximum of the whole array subtracted: exact in theory, it underflows in far slices."""
    m = np.max(a)
    return m + np.log(np.sum(np.exp(a - m), axis=axis))


def lse_global_max_by_loops(a, axis):
    """The same slip, one slice at a time with math.fsum."""
    top = float(np.max(a))
    moved = np.moveaxis(np.asarray(a, dtype=float), axis, -1)
    out = np.empty(moved.shape[:-1])
    for index in np.ndindex(out.shape):
        total = math.fsum(math.exp(x - top) for x in moved[index])
        out[index] = top + (math.log(total) if total > 0 else -math.inf)
    return out if out.ndim else float(out)


@pytest.mark.parametrize("fn", [lse_global_max, lse_global_max_by_loops], ids=lambda f: f.__name__)
def test_log_sum_exp_whole_array_maximum_is_named(fn):
    with np.errstate(all="ignore"), pytest.raises(
            AssertionError,
            match=r"case 4 of 7: a \(3, 4\) with very negative entries.*\nYou subtracted the "
                  r"maximum of the whole array \(np\.max\(a\) with no axis\), not of each slice "
                  r"along axis = 1: your result\[0\] is -inf where the reference gives -999\.759, "
                  r"because that slice's largest entry, -1000, lies 998 below the array's maximum "
                  r"-2.*keepdims=True"):
        check_log_sum_exp(fn)


def test_log_sum_exp_naive_is_not_taken_for_the_whole_array_maximum():
    """On case 4 the naive formula gives the same numbers; the slice passed alone tells them apart."""
    with pytest.raises(AssertionError) as error:
        check_log_sum_exp(lse_naive)
    assert "whole array" not in str(error.value)
    assert "underflows to 0" in str(error.value)
