"""The checks of the optional lessons 15 (``mahalanobis_sq``) and 16 (``iteration_flops``).

Right answers are written independently of the checks' oracles (scipy's
``mahalanobis``, a count entry by entry); every typical mistake must get its
own diagnosis.
"""

import numpy as np
import pytest
from scipy.linalg import solve_triangular
from scipy.spatial.distance import cdist

from gmm_teach.checks import check_iteration_flops, check_mahalanobis_sq


def _name(fn):
    return fn.__name__ if callable(fn) else None


# --------------------------------------------------------------------------
# 13 mahalanobis_sq
# --------------------------------------------------------------------------


def mahalanobis_cdist(X, mu, sigma):
    # scipy's own Mahalanobis distance, squared: another code path than the check's solve.
    return cdist(X, mu[None, :], metric="mahalanobis", VI=np.linalg.solve(sigma, np.eye(len(mu))))[:, 0] ** 2


def mahalanobis_cholesky(X, mu, sigma):
    z = solve_triangular(np.linalg.cholesky(sigma), (X - mu).T, lower=True)
    return (z**2).sum(axis=0)


def mahalanobis_with_inv(X, mu, sigma):
    diff = X - mu
    return np.einsum("nd,de,ne->n", diff, np.linalg.inv(sigma), diff)


def mahalanobis_not_squared(X, mu, sigma):
    return np.sqrt(mahalanobis_cholesky(X, mu, sigma))


def mahalanobis_all_pairs(X, mu, sigma):
    z = solve_triangular(np.linalg.cholesky(sigma), (X - mu).T, lower=True)
    return z.T @ z


def mahalanobis_sum_over_rows(X, mu, sigma):
    z = solve_triangular(np.linalg.cholesky(sigma), (X - mu).T, lower=True)
    return (z**2).sum(axis=1)


def mahalanobis_upper_factor(X, mu, sigma):
    # L.T used as if it were lower triangular: the wrong system.
    z = solve_triangular(np.linalg.cholesky(sigma).T, (X - mu).T, lower=False)
    return (z**2).sum(axis=0)


def mahalanobis_without_lower(X, mu, sigma):
    # scipy's default lower=False: only the diagonal of L is read.
    z = solve_triangular(np.linalg.cholesky(sigma), (X - mu).T)
    return (z**2).sum(axis=0)


def mahalanobis_rows_not_columns(X, mu, sigma):
    # X - mu without .T: scipy refuses the shapes.
    z = solve_triangular(np.linalg.cholesky(sigma), X - mu, lower=True)
    return (z**2).sum(axis=1)


def mahalanobis_not_centred(X, mu, sigma):
    z = solve_triangular(np.linalg.cholesky(sigma), X.T, lower=True)
    return (z**2).sum(axis=0)


def mahalanobis_loop(X, mu, sigma):
    # A loop over the points: slow, but right; the check does not time it.
    return np.array([(x - mu) @ np.linalg.solve(sigma, x - mu) for x in X])


@pytest.mark.parametrize("fn", [mahalanobis_cdist, mahalanobis_cholesky, mahalanobis_loop], ids=_name)
def test_mahalanobis_sq_passes_right_answers(fn, capsys):
    check_mahalanobis_sq(fn)
    assert capsys.readouterr().out == "mahalanobis_sq: all 4 cases match the reference\n"


def test_the_independent_answer_agrees_with_a_loop():
    rng = np.random.default_rng(13)
    a = rng.normal(size=(3, 3))
    sigma, mu, X = a @ a.T + np.eye(3), rng.normal(size=3), rng.normal(size=(8, 3))
    loop = [(x - mu) @ np.linalg.solve(sigma, x - mu) for x in X]
    np.testing.assert_allclose(mahalanobis_cdist(X, mu, sigma), loop)


@pytest.mark.parametrize("fn, expected", [
    (mahalanobis_with_inv, r"(?s)case 1 of 4.*np\.linalg\.inv, which the exercise asks you to avoid"),
    (mahalanobis_not_squared, r"You returned the distances themselves: return their squares"),
    (mahalanobis_all_pairs, r"Your output has shape \(40, 40\): the products of every pair"),
    (mahalanobis_sum_over_rows, r"Your output has shape \(1,\) but should be \(40,\): one number "
                                r"per point"),
    (mahalanobis_upper_factor, r"case 2 of 4.*\nYour distances are those of a z that solves "
                               r"L\^T z = x - mu: as Sigma\^-1 = L\^-T L\^-1, the distance is the "
                               r"squared length of L\^-1 \(x - mu\)"),
    (mahalanobis_without_lower, r"case 2 of 4.*\nYour distances are those of a solve that used only "
                                r"the diagonal of L: solve_triangular assumes an upper-triangular "
                                r"matrix unless you pass lower=True\.$"),
    (mahalanobis_rows_not_columns, r"(?s)case 1 of 4.*\nYour function raised ValueError: shapes of a "
                                   r"\(1, 1\) and b \(40, 1\) are incompatible.*\nsolve_triangular "
                                   r"solves for the columns of B: pass \(X - mu\)\.T, shape \(1, 40\), "
                                   r"not X - mu, shape \(40, 1\)\.$"),
    (mahalanobis_not_centred, r"Your distances are those of X itself, not of X - mu: subtract mu"),
], ids=_name)
def test_mahalanobis_sq_diagnoses(fn, expected):
    with pytest.raises(AssertionError, match=expected) as raised:
        check_mahalanobis_sq(fn)
    # No message gives the solution away.
    assert "(X - mu).T, lower=True" not in str(raised.value)


# --------------------------------------------------------------------------
# 14 iteration_flops
# --------------------------------------------------------------------------


def flops_entry_by_entry(N, D, K):
    """Two flops per term of every computed entry, counted one entry at a time."""
    e_step = sum(2 * D for _ in range(N * K * D))          # X @ W: N x KD entries of length D
    m_step = sum(2 * N for _ in range(K) for i in range(D) for _ in range(i, D))
    return e_step + m_step


def flops_formula(N, D, K):
    return 2 * N * K * D**2 + N * K * D * (D + 1)


def flops_full_scatter(N, D, K):
    return 4 * N * K * D**2


def flops_half_of_d_squared(N, D, K):
    return 3 * N * K * D**2


def flops_off_diagonal_only(N, D, K):
    return 2 * N * K * D**2 + N * K * D * (D - 1)


def flops_one_per_term(N, D, K):
    return N * K * D**2 + N * K * D * (D + 1) // 2


def flops_m_step_once(N, D, K):
    return 2 * N * K * D**2 + N * D * (D + 1)


def flops_e_step_per_component_missing(N, D, K):
    return 2 * N * D**2 + N * K * D * (D + 1)


def flops_e_step_missing_a_d(N, D, K):
    return 2 * N * K * D + N * K * D * (D + 1)


def flops_e_step_only(N, D, K):
    return 2 * N * K * D**2


def flops_m_step_only(N, D, K):
    return N * K * D * (D + 1)


def flops_as_array(N, D, K):
    return np.array([flops_formula(N, D, K), 0])


def test_the_entry_by_entry_count_is_the_formula():
    for n, d, k in [(5, 3, 2), (11, 1, 4), (3, 6, 1)]:
        assert flops_entry_by_entry(n, d, k) == flops_formula(n, d, k)


@pytest.mark.parametrize("fn", [flops_entry_by_entry, flops_formula,
                                lambda N, D, K: float(flops_formula(N, D, K))],
                         ids=["entry_by_entry", "formula", "as_float"])
def test_iteration_flops_passes_right_answers(fn, capsys):
    check_iteration_flops(fn)
    assert capsys.readouterr().out == "iteration_flops: all 4 cases match the reference\n"


@pytest.mark.parametrize("fn, expected", [
    (flops_full_scatter, r"case 1 of 4: N = 500, D = 10, K = 3\.\nYour count is 600000, the "
                         r"reference 465000: you counted every entry of each A_k\.T @ A_k"),
    (flops_half_of_d_squared, r"3 N K D\^2 is the approximation for large D; the exact count has "
                              r"D \(D \+ 1\) / 2 entries per scatter matrix, not D\^2 / 2"),
    (flops_off_diagonal_only, r"you counted the D \(D - 1\) / 2 entries off the diagonal"),
    (flops_one_per_term, r"that is half the count: each term of a dot product is a "
                         r"multiplication AND an addition"),
    (flops_m_step_once, r"the M-step part is K times too small"),
    (flops_e_step_per_component_missing, r"the E-step part is K times too small"),
    (flops_e_step_missing_a_d, r"the E-step part is D times too small"),
    (flops_e_step_only, r"you counted only the E-step's product X @ W"),
    (flops_m_step_only, r"you counted only the M-step's scatter matrices"),
    (flops_as_array, r"Your count has shape \(2,\), but should be one number"),
    (lambda N, D, K: flops_formula(N, D, K) + 1, r"Your count is 465001 but the reference gives "
                                                 r"465000 \(ratio 1\)\. Count 2 flops per term"),
], ids=_name)
def test_iteration_flops_diagnoses(fn, expected):
    with pytest.raises(AssertionError, match=expected):
        check_iteration_flops(fn)


def test_iteration_flops_stub_stays_not_implemented():
    def iteration_flops(N, D, K):
        raise NotImplementedError()

    with pytest.raises(NotImplementedError, match="iteration_flops is not written yet"):
        check_iteration_flops(iteration_flops)
