"""The checks of lesson 13: right answers written independently pass, typical mistakes get their sentence.

``bernoulli_e_step(X, mus, pis)`` and ``bernoulli_m_step(X, responsibilities, min_prob)``.
"""

import math
import re

import numpy as np
import pytest
from scipy.special import logsumexp, softmax

import gmm_teach
from gmm_teach.checks import check_bernoulli_e_step, check_bernoulli_m_step
from gmm_teach.checks import bernoulli_e_step as e_module
from gmm_teach.checks import bernoulli_m_step as m_module

# --------------------------------------------------------------------------
# bernoulli_e_step
# --------------------------------------------------------------------------


def _e_step_loops(X, mus, pis):
    """Pure Python: log-probabilities pixel by pixel, then the row maximum pulled out."""
    n, k_count = len(X), len(mus)
    out = np.zeros((n, k_count))
    for i in range(n):
        logs = []
        for k in range(k_count):
            total = math.log(pis[k])
            for x, mu in zip(X[i], mus[k]):
                total += math.log(mu) if x == 1 else math.log(1 - mu)
            logs.append(total)
        top = max(logs)
        norm = top + math.log(sum(math.exp(a - top) for a in logs))
        out[i] = [math.exp(a - norm) for a in logs]
    return out


def _e_step_matrix(X, mus, pis):
    log_joint = np.log(pis) + X @ np.log(mus).T + (1 - X) @ np.log1p(-mus).T
    return np.exp(log_joint - logsumexp(log_joint, axis=1, keepdims=True))


def _e_step_softmax(X, mus, pis):
    return softmax(np.log(pis) + X @ np.log(mus).T + (1 - X) @ np.log(1 - mus).T, axis=1)


@pytest.mark.parametrize("fn", [_e_step_loops, _e_step_matrix, _e_step_softmax])
def test_bernoulli_e_step_passes_right_answers(fn, capsys):
    assert check_bernoulli_e_step(fn) is None
    assert capsys.readouterr().out == "bernoulli_e_step: all 4 cases match the reference\n"


def test_the_last_case_underflows_in_probabilities():
    case = e_module.problems()[-1]
    X, mus = case.data["X"], case.data["mus"]
    assert X.shape[1] == e_module.MANY_PIXELS == 1500
    log_p = e_module.log_bernoulli(X, mus)
    assert log_p.max() < -800          # exp underflows below about -745
    plain = np.prod(np.where(X[:, None, :] == 1, mus, 1 - mus), axis=2)
    assert np.all(plain == 0.0)
    # and the earlier cases do not: the mistakes are told apart there
    for case in e_module.problems()[:-1]:
        assert e_module.log_bernoulli(case.data["X"], case.data["mus"]).min() > -700


def _probabilities(X, mus, pis):
    p = np.prod(np.where(X[:, None, :] == 1, mus, 1 - mus), axis=2) * pis
    return p / p.sum(axis=1, keepdims=True)


def _joint(X, mus, pis):
    return np.log(pis) + X @ np.log(mus).T + (1 - X) @ np.log(1 - mus).T


@pytest.mark.parametrize("fn, expected", [
    (_probabilities, r"case 4 of 4.*contains NaN.*underflows to 0.*Work in log space"),
    (lambda X, mus, pis: (lambda p: (p + 1e-300) / (p + 1e-300).sum(axis=1, keepdims=True))(
        np.prod(np.where(X[:, None, :] == 1, mus, 1 - mus), axis=2) * pis),
     r"case 4 of 4.*every row of your responsibilities array is 1/K.*hides the problem"),
    (lambda X, mus, pis: np.exp(_joint(X, mus, pis) - logsumexp(_joint(X, mus, pis), axis=0)),
     r"case 1 of 4.*COLUMNS sum to 1.*axis 0.*each row"),
    (lambda X, mus, pis: softmax(X @ np.log(mus).T + (1 - X) @ np.log(1 - mus).T, axis=1),
     r"case 1 of 4.*forgotten the weights pis"),
    (lambda X, mus, pis: softmax(pis + X @ np.log(mus).T + (1 - X) @ np.log(1 - mus).T, axis=1),
     r"added pis itself.*log pis\[k\]"),
    (lambda X, mus, pis: softmax(np.log(pis) + X @ np.log(mus).T, axis=1),
     r"case 1 of 4.*only the pixels that are on.*\(1 - x_id\) log\(1 - mus\[k, d\]\)"),
    (lambda X, mus, pis: softmax(np.log(pis) + (1 - X) @ np.log(1 - mus).T, axis=1),
     r"only the pixels that are off"),
    (lambda X, mus, pis: softmax(np.log(pis) + X @ np.log(mus).T - (1 - X) @ np.log(1 - mus).T,
                                 axis=1),
     r"wrong sign"),
    (lambda X, mus, pis: _e_step_matrix(X, mus, pis).T,
     r"shape \(2, 6\) but should be \(6, 2\): it looks transposed"),
    (lambda X, mus, pis: np.log(_e_step_matrix(X, mus, pis)), r"log responsibilities.*exponential"),
    (lambda X, mus, pis: np.exp(_joint(X, mus, pis)), r"rows .* do not sum to 1"),
    (lambda X, mus, pis: _e_step_matrix(X, mus, pis)[:, ::-1],
     r"your responsibilities\[.*\] is .* but the reference gives"),
    (lambda X, mus, pis: np.log(-_e_step_matrix(X, mus, pis)),
     r"case 1 of 4.*contains NaN in row 0, although no probability underflows"),
    (lambda X, mus, pis: softmax(np.log(pis) + X @ np.log(1 - mus).T + (1 - X) @ np.log(mus).T,
                                 axis=1),
     r"case 1 of 4.*swapped mus and 1 - mus.*on \(x_id = 1\) with probability mus\[k, d\]"),
    (lambda X, mus, pis: np.eye(len(mus))[_e_step_matrix(X, mus, pis).argmax(axis=1)],
     r"case 1 of 4.*every entry of your responsibilities array is 0 or 1.*do not take the argmax"),
    (lambda X, mus, pis: np.exp(_joint(X, mus, pis) - np.log(np.exp(_joint(X, mus, pis)).sum(
        axis=1, keepdims=True))),
     r"case 4 of 4.*contains inf \(row 0.*underflows to 0, so the log of their sum is -inf.*"
     r"row maximum"),
    (lambda X, mus, pis: _e_step_matrix(X.astype(np.float32), mus.astype(np.float32),
                                        pis.astype(np.float32)),
     r"is float32 \(single precision.*compute in float64"),
])
def test_bernoulli_e_step_diagnoses(fn, expected):
    with pytest.raises(AssertionError, match="(?si)" + expected) as caught:
        check_bernoulli_e_step(fn)
    _no_finished_code(str(caught.value))


def _no_finished_code(message):
    """A failure message names the mistake; it never holds a line the student could paste."""
    ours = message.split("\nIt was raised at")[0]
    for code in ["@", "np.clip", "np.log(", "logsumexp(", "[:, None]", ".sum(axis", ".T"]:
        assert code not in ours, (code, message)


def test_a_float32_answer_is_told_apart_in_the_generic_message():
    from gmm_teach.checks._compare import worst_entry
    ref = np.array([[0.001, 0.2345678912], [0.5, 0.3]])
    text = worst_entry(ref.astype(np.float32).astype(float), ref, 1e-8, 1e-12, "mus")
    assert re.match(r"your mus\[0, 0\] is 0\.0010000000475 but the reference gives 0\.001 "
                    r"\(relative difference 5e-08; 3 of 4 entries differ\)\. Your numbers are "
                    r"float32", text), text
    # equal to six digits but not float32: twelve digits, no word about float32
    text = worst_entry(ref + 1e-9, ref, 1e-8, 1e-12, "mus")
    assert text == ("your mus[0, 0] is 0.001000001 but the reference gives 0.001 "
                    "(relative difference 1e-06; 1 of 4 entries differ).")
    # far apart: six digits, as before
    assert worst_entry(ref + 0.1, ref, 1e-8, 1e-12, "mus") == (
        "your mus[0, 0] is 0.101 but the reference gives 0.001 (4 of 4 entries differ).")


def test_bernoulli_e_step_stub_is_not_written():
    def stub(X, mus, pis):
        raise NotImplementedError()
    with pytest.raises(NotImplementedError, match="bernoulli_e_step is not written yet"):
        check_bernoulli_e_step(stub)


def test_bernoulli_e_step_refuses_the_package_s_own():
    def hands_over(X, mus, pis):
        return gmm_teach.bernoulli_e_step(X, mus, pis)

    def via_pdf(X, mus, pis):
        return softmax(gmm_teach.log_bernoulli_pdf(X, mus, pis), axis=1)

    for fn, name in [(hands_over, "bernoulli_e_step"), (via_pdf, "log_bernoulli_pdf")]:
        with pytest.raises(AssertionError, match=f"gmm_teach's own {name}"):
            check_bernoulli_e_step(fn)


def test_bernoulli_e_step_refuses_to_change_its_arguments():
    def in_place(X, mus, pis):
        mus[:] = np.log(mus)
        return _e_step_matrix(X, np.exp(mus), pis)
    with pytest.raises(AssertionError, match="changed its argument mus in place"):
        check_bernoulli_e_step(in_place)


# --------------------------------------------------------------------------
# bernoulli_m_step
# --------------------------------------------------------------------------


def _m_step_matrix(X, responsibilities, min_prob):
    n_k = responsibilities.sum(axis=0)
    mus = np.clip(responsibilities.T @ X / n_k[:, None], min_prob, 1 - min_prob)
    return mus, n_k / len(X)


def _m_step_loops(X, responsibilities, min_prob):
    n, d = X.shape
    k_count = responsibilities.shape[1]
    mus = np.zeros((k_count, d))
    pis = np.zeros(k_count)
    for k in range(k_count):
        weights = responsibilities[:, k]
        mus[k] = np.average(X, axis=0, weights=weights)
        mus[k][mus[k] < min_prob] = min_prob
        mus[k][mus[k] > 1 - min_prob] = 1 - min_prob
        pis[k] = weights.sum() / n
    return [mus, pis[:, None]]


def _m_step_einsum(X, responsibilities, min_prob):
    n_k = np.einsum("ik->k", responsibilities)
    mus = np.einsum("ik,id->kd", responsibilities, X) / n_k[:, None]
    return np.minimum(np.maximum(mus, min_prob), 1 - min_prob), n_k / n_k.sum()


@pytest.mark.parametrize("fn", [_m_step_matrix, _m_step_loops, _m_step_einsum])
def test_bernoulli_m_step_passes_right_answers(fn, capsys):
    assert check_bernoulli_m_step(fn) is None
    assert capsys.readouterr().out == "bernoulli_m_step: all 4 cases match the reference\n"


def test_every_m_step_case_needs_the_floor_at_both_ends():
    for case in m_module.problems():
        raw = m_module.raw_means(case.data["X"], case.data["gamma"])
        assert np.any(raw == 0.0) and np.any(raw == 1.0), case.describe()
        assert np.all(np.isfinite(raw))
        # and no pixel is constant for every component unless the case says so (cases 1
        # and 3: one pixel off and one on everywhere)
        assert np.sum(np.all((raw == 0) | (raw == 1), axis=0)) <= 2, case.describe()


def _weighted(X, responsibilities):
    return responsibilities.T @ X / responsibilities.sum(axis=0)[:, None]


def _hard(X, responsibilities, min_prob):
    labels = responsibilities.argmax(axis=1)
    k_count = responsibilities.shape[1]
    mus = np.array([X[labels == k].mean(axis=0) for k in range(k_count)])
    return np.clip(mus, min_prob, 1 - min_prob), responsibilities.sum(axis=0) / len(X)


@pytest.mark.parametrize("fn, expected", [
    (lambda X, r, m: (_weighted(X, r), r.sum(axis=0) / len(X)),
     r"case 1 of 4.*mus\[0, 0\] is exactly 0: the floor is missing.*Clip every mean to "
     r"\[min_prob, 1 - min_prob\]"),
    (lambda X, r, m: (np.maximum(_weighted(X, r), m), r.sum(axis=0) / len(X)),
     r"case 1 of 4.*mus\[0, 3\] is exactly 1: only the lower floor"),
    (lambda X, r, m: (np.minimum(_weighted(X, r), 1 - m), r.sum(axis=0) / len(X)),
     r"is exactly 0: only the upper floor"),
    (lambda X, r, m: (np.clip(_weighted(X, r), 1e-3, 1 - 1e-3), r.sum(axis=0) / len(X)),
     r"case 3 of 4.*your floor is 0.001, but this case has min_prob = 0.01"),
    (lambda X, r, m: (np.clip(r.T @ X / len(X), m, 1 - m), r.sum(axis=0) / len(X)),
     r"case 1 of 4.*divided by n, the number of points.*N_k"),
    (lambda X, r, m: (np.clip(r.T @ X, m, 1 - m), r.sum(axis=0) / len(X)),
     r"weighted sums, not weighted means"),
    (lambda X, r, m: (np.clip(_weighted(X, r), m, 1 - m), r.sum(axis=0)),
     r"case 1 of 4.*your pis are the counts N_k \(they sum to n = 8\)"),
    (lambda X, r, m: (np.clip(_weighted(X, r), m, 1 - m), np.full(r.shape[1], 1 / r.shape[1])),
     r"your pis\[.\] is .* but the reference gives"),
    (_hard, r"case 1 of 4.*hard assignments.*sum_i gamma_ik x_id / N_k"),
    (lambda X, r, m: (np.clip(np.tile(X.mean(axis=0), (r.shape[1], 1)), m, 1 - m),
                      r.sum(axis=0) / len(X)),
     r"every component got the same mus, the mean of all the points"),
    (lambda X, r, m: (np.clip(_weighted(X, r), m, 1 - m).T, r.sum(axis=0) / len(X)),
     r"your mus array has shape \(5, 2\) but should be \(2, 5\): it looks transposed"),
    (lambda X, r, m: (r.sum(axis=0) / len(X), np.clip(_weighted(X, r), m, 1 - m)),
     r"returned \(pis, mus\)"),
    (lambda X, r, m: np.clip(_weighted(X, r), m, 1 - m), r"returned an ndarray.*\(mus, pis\)"),
    (lambda X, r, m: (np.clip(_weighted(X, r), m, 1 - m), r.sum(axis=0) / len(X), m),
     r"returned 3 values"),
    (lambda X, r, m: (r.T @ X / r.sum(axis=0), r.sum(axis=0) / len(X)),
     r"case 1 of 4.*your function raised ValueError.*broadcast.*\nN_k has shape \(2,\) and the "
     r"weighted sums \(2, 5\).*second axis of length 1, shape \(2, 1\)"),
    (lambda X, r, m: (np.clip(r.T @ X / r.sum(axis=1), m, 1 - m), r.sum(axis=0) / len(X)),
     r"case 1 of 4.*your function raised ValueError.*\nAn array of n = 8 entries, one per "
     r"point: is that your N_k\? Sum the responsibilities over the points"),
    (lambda X, r, m: (_weighted(X, r) + m, r.sum(axis=0) / len(X)),
     r"case 1 of 4.*you added min_prob to every mean, as reg_covar.*clip, don't add: values "
     r"already inside \[min_prob, 1 - min_prob\] stay unchanged"),
    (lambda X, r, m: (np.clip(_weighted(X, r) + m, m, 1 - m), r.sum(axis=0) / len(X)),
     r"you added min_prob to every mean.*clip, don't add"),
    (lambda X, r, m: (_weighted(X, r) * (1 - 2 * m) + m, r.sum(axis=0) / len(X)),
     r"case 1 of 4.*shrank every mean towards 1/2.*clip, don't add"),
    (lambda X, r, m: ((r.T @ X + m) / (r.sum(axis=0)[:, None] + 2 * m), r.sum(axis=0) / len(X)),
     r"case 1 of 4.*smoothed the counts.*Laplace.*clip, don't add"),
    (lambda X, r, m: ((r.T @ X + 1) / (r.sum(axis=0)[:, None] + 2), r.sum(axis=0) / len(X)),
     r"case 1 of 4.*smoothed the counts.*clip, don't add"),
    (lambda X, r, m: (np.where(_weighted(X, r) == 0, m, np.where(_weighted(X, r) == 1, 1 - m,
                                                                  _weighted(X, r))),
                      r.sum(axis=0) / len(X)),
     r"case 3 of 4.*replaced only the exact 0s and 1s.*\(1 here, e.g. your mus\[0, 21\] = 0.00441, "
     r"which the clip makes 0.01\)\. Clip every entry"),
    (lambda X, r, m: (np.clip(r.T @ X, m, 1 - m) / r.sum(axis=0)[:, None], r.sum(axis=0) / len(X)),
     r"case 1 of 4.*clipped before dividing by N_k"),
    (lambda X, r, m: (_m_step_matrix(X, r, m)[0].astype(np.float32), r.sum(axis=0) / len(X)),
     r"case 1 of 4.*your mus are float32 \(single precision.*compute in float64"),
    (lambda X, r, m: (_m_step_matrix(X, r, m)[0], (r.sum(axis=0) / len(X)).astype(np.float32)),
     r"case 1 of 4.*your pis are float32"),
    (lambda X, r, m: (np.clip(_weighted(X, r), m, 1 - m) + 0.01, r.sum(axis=0) / len(X)),
     r"your mus\[.*\] is .* but the reference gives .*\nWith N_k"),
])
def test_bernoulli_m_step_diagnoses(fn, expected):
    with pytest.raises(AssertionError, match="(?si)" + expected) as caught:
        check_bernoulli_m_step(fn)
    _no_finished_code(str(caught.value))


def test_bernoulli_m_step_stub_is_not_written():
    def stub(X, responsibilities, min_prob):
        raise NotImplementedError()
    with pytest.raises(NotImplementedError, match="bernoulli_m_step is not written yet"):
        check_bernoulli_m_step(stub)


def test_bernoulli_m_step_refuses_the_package_s_own():
    def hands_over(X, responsibilities, min_prob):
        mus, pis = gmm_teach.bernoulli_m_step(X, responsibilities, min_prob=min_prob)
        return mus, pis

    with pytest.raises(AssertionError, match="gmm_teach's own bernoulli_m_step"):
        check_bernoulli_m_step(hands_over)


def test_bernoulli_m_step_refuses_to_change_its_arguments():
    def in_place(X, responsibilities, min_prob):
        responsibilities /= responsibilities.sum(axis=0)
        return np.clip(responsibilities.T @ X, min_prob, 1 - min_prob), np.ones(3) / 3
    with pytest.raises(AssertionError, match="changed its argument responsibilities in place"):
        check_bernoulli_m_step(in_place)
