"""Tests of lesson 05's second check, check_gmm_until_converged.

The students' loops below are built on an EM step of the tests' own (scipy.stats
and np.cov with weights), not on gmm_teach.em: a right answer written
independently passes with the exact line, and each typical mistake gets its own
diagnosis.
"""

import numpy as np
import pytest
from scipy.special import logsumexp
from scipy.stats import multivariate_normal

from gmm_teach import em
from gmm_teach.checks import check_gmm_until_converged
from gmm_teach.checks.gmm_until_converged import relative_stops, stop_after, stop_cases


def _log_weighted(X, mus, sigmas, pis):
    return np.column_stack([np.log(pis[k]) + multivariate_normal(mus[k], sigmas[k]).logpdf(X)
                            for k in range(len(mus))]).reshape(len(X), len(mus))


def _total(X, mus, sigmas, pis):
    return float(logsumexp(_log_weighted(X, mus, sigmas, pis), axis=1).sum())


def _step(X, mus, sigmas, pis):
    """One EM iteration, E-step then M-step, without regularisation."""
    a = _log_weighted(X, mus, sigmas, pis)
    resp = np.exp(a - logsumexp(a, axis=1, keepdims=True))
    n_k = resp.sum(axis=0)
    d = X.shape[1]
    new_mus = resp.T @ X / n_k[:, None]
    new_sigmas = np.array([np.cov(X.T, aweights=resp[:, k], bias=True).reshape(d, d)
                           for k in range(len(n_k))])
    return new_mus, new_sigmas, n_k / len(X)


def make_loop(*, mean=True, sign=1, with_start=True, stop=True, late=False,
              loop_extra=0, flag=None, params_behind=False, relative=False):
    """A ``gmm_until_converged``, right by default; each keyword is one mistake."""
    def gmm_until_converged(X, mus, sigmas, pis, tol, max_iter):
        lls = [_total(X, mus, sigmas, pis)]
        converged = False
        previous_params, pending = (mus, sigmas, pis), False
        for _ in range(max_iter + loop_extra):
            previous_params = (mus, sigmas, pis)
            mus, sigmas, pis = _step(X, mus, sigmas, pis)
            lls.append(_total(X, mus, sigmas, pis))
            change = sign * (lls[-1] - lls[-2])
            if sign == 1:
                change = abs(change)
            if mean and not relative:
                change /= len(X)
            if relative:
                change /= abs(lls[-2])
            if pending:  # one iteration after the rule fired
                converged = True
                break
            if stop and change < tol:
                if late:
                    pending = True
                    continue
                converged = True
                break
        if params_behind:
            mus, sigmas, pis = previous_params
        out_lls = lls if with_start else lls[1:]
        return mus, sigmas, pis, out_lls, converged if flag is None else flag
    return gmm_until_converged


def test_the_cases_separate_the_rules():
    expected = [(9, True, 86), (5, False, 5), (3, True, 30)]
    for case, (t_ref, converged, t_total) in zip(stop_cases(), expected):
        X, tol, max_iter = case.X, case.tol, case.max_iter
        run = em.fit_gmm(X, init=case.params, tol=0.0, max_iter=max_iter + 2, reg_covar=0.0)
        assert stop_after(run.log_likelihoods, tol * len(X), max_iter) == (t_ref, converged)
        assert stop_after(run.log_likelihoods, tol, max_iter)[0] == t_total
        # fit_gmm's own rule agrees with the check's reading of it.
        if converged:
            stopped = em.fit_gmm(X, init=case.params, tol=tol, max_iter=max_iter, reg_covar=0.0)
            assert stopped.n_iter == t_ref and stopped.converged
        changes = np.abs(np.diff(run.log_likelihoods[: t_ref + 2])) / len(X)
        assert np.all(np.abs(np.log(changes / tol)) > 0.05)  # no change near tol
        if case.number == 1:  # a relative test stops earlier, and not near tol either
            assert relative_stops(run.log_likelihoods, tol, max_iter) == {7}
            path = np.asarray(run.log_likelihoods[:9])
            relative = np.abs(np.diff(path)) / np.abs(path[:-1])
            assert np.all(np.abs(np.log(relative / tol)) > 0.05)


def test_a_right_answer_passes_with_one_line(capsys):
    assert check_gmm_until_converged(make_loop()) is None
    assert capsys.readouterr().out == "gmm_until_converged: all 3 cases match the reference\n"


def test_the_package_steps_are_allowed(capsys):
    def gmm_until_converged(X, mus, sigmas, pis, tol, max_iter):
        lls = [em.log_likelihood(X, mus, sigmas, pis)]
        for _ in range(max_iter):
            mus, sigmas, pis = em.m_step(X, em.e_step(X, mus, sigmas, pis), reg_covar=0.0)
            lls.append(em.log_likelihood(X, mus, sigmas, pis))
            if abs(lls[-1] - lls[-2]) / len(X) < tol:
                return mus, sigmas, pis, lls, True
        return mus, sigmas, pis, lls, False

    check_gmm_until_converged(gmm_until_converged)
    assert "all 3 cases match" in capsys.readouterr().out


@pytest.mark.parametrize(
    "fn, expected",
    [
        (make_loop(mean=False),
         r"(?s)case 1 of 3.*ran 86 iterations, but the rule stops after iteration 9.*TOTAL "
         r"log-likelihood.*divide the change by the number of samples \(n_samples = 200\)"),
        (make_loop(relative=True),
         r"(?s)case 1 of 3.*ran 7 iterations, but the rule stops after iteration 9.*RELATIVE "
         r"change \|log L_t - log L_\(t-1\)\| / \|log L_\(t-1\)\|.*divides the change by the number of "
         r"samples \(n_samples = 200\), not by the log-likelihood"),
        (make_loop(sign=-1),
         r"(?s)case 1 of 3.*ran 1 iteration, but.*old minus new.*abs\(new - old\)"),
        (make_loop(stop=False),
         r"(?s)case 1 of 3.*ran 100 iterations, all that max_iter = 100 allows.*never stopped on "
         r"its own"),
        (make_loop(late=True),
         r"(?s)case 1 of 3.*ran 10 iterations, one more than the rule.*measure iteration 1's "
         r"change from the start's"),
        (make_loop(with_start=False),
         r"(?s)case 1 of 3.*log_likelihoods\[0\] is .*after the first iteration: the list must "
         r"start with the start's"),
        (make_loop(loop_extra=1),
         r"(?s)case 2 of 3.*ran 6 iterations, more than max_iter = 5.*range\(max_iter\)"),
        (make_loop(loop_extra=-1),
         r"(?s)case 2 of 3.*ran 4 iterations, but .*exactly max_iter = 5.*off by one"),
        (make_loop(flag=True),
         r"(?s)case 2 of 3.*ran all max_iter = 5 iterations.*converged should be False"),
        (make_loop(flag=False),
         r"(?s)case 1 of 3.*converged should be True; it is False"),
        (make_loop(params_behind=True),
         r"(?s)case 1 of 3.*right iteration \(9\), but the parameters you return are those "
         r"before its M-step"),
    ],
    ids=["total", "relative", "wrong-sign", "never-stops", "one-iteration-late", "start-missing",
         "max_iter-plus-one", "max_iter-minus-one", "always-converged", "never-converged",
         "params-behind"],
)
def test_typical_mistakes_get_their_diagnosis(fn, expected):
    with pytest.raises(AssertionError, match=expected):
        check_gmm_until_converged(fn)


def test_mean_log_likelihoods_in_the_list_are_named():
    right = make_loop()

    def means(X, *args):
        mus, sigmas, pis, lls, converged = right(X, *args)
        return mus, sigmas, pis, [ll / len(X) for ll in lls], converged

    with pytest.raises(AssertionError, match=r"(?s)case 1 of 3.*hold mean log-likelihoods"):
        check_gmm_until_converged(means)


def test_a_converged_that_is_not_a_bool_is_named():
    right = make_loop()

    def as_text(*args):
        *rest, converged = right(*args)
        return (*rest, "yes" if converged else "no")

    with pytest.raises(AssertionError, match=r"Your converged is 'yes' \(a str\); it should be "
                                             r"True or False"):
        check_gmm_until_converged(as_text)


def test_steps_that_are_not_em_are_named():
    def hard(X, mus, sigmas, pis, tol, max_iter):
        lls = [_total(X, mus, sigmas, pis)]
        for _ in range(max_iter):
            a = _log_weighted(X, mus, sigmas, pis)
            resp = np.eye(len(mus))[a.argmax(axis=1)] * 0.98 + 0.01
            n_k = resp.sum(axis=0)
            mus = resp.T @ X / n_k[:, None]
            sigmas = np.array([np.cov(X.T, aweights=resp[:, k], bias=True).reshape(
                X.shape[1], X.shape[1]) for k in range(len(mus))])
            pis = n_k / n_k.sum()
            lls.append(_total(X, mus, sigmas, pis))
            if abs(lls[-1] - lls[-2]) / len(X) < tol:
                return mus, sigmas, pis, lls, True
        return mus, sigmas, pis, lls, False

    with pytest.raises(AssertionError, match=r"(?s)case 1 of 3.*log_likelihoods\[1\] is .*EM from "
                                             r"the same start gives.*check_gmm"):
        check_gmm_until_converged(hard)


def test_the_whole_fit_is_refused():
    def delegating(X, mus, sigmas, pis, tol, max_iter):
        result = em.fit_gmm(X, init=(mus, sigmas, pis), tol=tol, max_iter=max_iter,
                            reg_covar=0.0)
        return (result.mus, result.sigmas, result.pis, list(result.log_likelihoods),
                result.converged)

    with pytest.raises(AssertionError, match="fit_gmm"):
        check_gmm_until_converged(delegating)


def test_an_unwritten_exercise_stays_not_implemented():
    def stub(X, mus, sigmas, pis, tol, max_iter):
        raise NotImplementedError()

    with pytest.raises(NotImplementedError, match="gmm_until_converged is not written yet"):
        check_gmm_until_converged(stub)


def test_right_log_likelihoods_with_the_start_weights_returned_name_the_weights():
    right = make_loop()

    def start_weights_returned(X, mus, sigmas, pis, tol, max_iter):
        new_mus, new_sigmas, _, lls, converged = right(X, mus, sigmas, pis, tol, max_iter)
        return new_mus, new_sigmas, pis, lls, converged

    with pytest.raises(AssertionError, match=r"Your log_likelihoods are right, but after 9 "
                                             r"iterations .*pis.*Return the parameters of the "
                                             r"last iteration\."):
        check_gmm_until_converged(start_weights_returned)
