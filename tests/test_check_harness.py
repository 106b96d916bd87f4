"""Tests of what every check shares: delegation, time limit, prints, tracebacks."""

import time

import numpy as np
import pytest
from sklearn.mixture import GaussianMixture

from gmm_teach import checks, em
from gmm_teach.checks import (
    check_bic,
    check_e_step,
    check_gaussian_pdf,
    check_gmm,
    check_log_likelihood,
    check_m_step,
    check_mahalanobis_sq,
)


@pytest.fixture
def time_limit():
    """Set the limit for one test, and restore the default after it."""
    yield checks.set_time_limit
    checks._harness._time_limit = None


# --------------------------------------------------------------------------
# Handing the work to the reference
# --------------------------------------------------------------------------


def e_step_via_fit_of_sklearn(X, mus, sigmas, pis):
    model = GaussianMixture(len(mus), means_init=mus, weights_init=pis,
                            precisions_init=np.linalg.inv(sigmas), max_iter=1).fit(X)
    return model.predict_proba(X)


def gmm_via_fit_gmm(X, mus, sigmas, pis, n_iter):
    result = em.fit_gmm(X, init=(mus, sigmas, pis), max_iter=n_iter, tol=0, reg_covar=0)
    return result.mus, result.sigmas, result.pis, result.log_likelihoods[1:]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("check, fn, what", [
    (check_gaussian_pdf, em.gaussian_pdf, "gmm_teach's own gaussian_pdf"),
    (check_gaussian_pdf, lambda X, m, s, p: np.exp(em.log_gaussian_pdf(X, m, s, p)),
     "gmm_teach's own log_gaussian_pdf"),
    (check_log_likelihood, em.log_likelihood, "gmm_teach's own log_likelihood"),
    # Lesson 02 asks for the log densities a_ik too, "without ever computing a density".
    (check_log_likelihood, lambda X, m, s, p: float(np.sum(
        np.log(np.exp(em.log_gaussian_pdf(X, m, s, p)).sum(axis=1)))),
     "gmm_teach's own log_gaussian_pdf"),
    (check_e_step, em.e_step, "gmm_teach's own e_step"),
    (check_e_step, e_step_via_fit_of_sklearn, "scikit-learn's GaussianMixture"),
    (check_m_step, em.m_step, "gmm_teach's own m_step"),
    (check_gmm, gmm_via_fit_gmm, "gmm_teach's own fit_gmm"),
])
def test_handing_the_work_to_the_reference_is_refused(check, fn, what):
    with pytest.raises(AssertionError, match=rf"failed on case 1 .*\nYour function calls "
                                             rf"{what}, which does the very work this "
                                             rf"exercise asks you to write"):
        check(fn)


def test_a_renamed_import_of_the_reference_is_refused_too():
    from gmm_teach import e_step as reference_e_step

    def e_step(X, mus, sigmas, pis):
        return reference_e_step(X, mus, sigmas, pis)

    with pytest.raises(AssertionError, match=r"calls gmm_teach's own e_step"):
        check_e_step(e_step)


def test_bic_with_n_parameters_is_refused_as_the_text_says():
    def bic(X, mus, sigmas, pis):
        k, d = np.shape(mus)
        return (-2 * em.log_likelihood(X, mus, sigmas, pis)
                + em.n_parameters(k, d) * np.log(len(X)))

    with pytest.raises(AssertionError, match=r"calls n_parameters, which the exercise asks "
                                             r"you not to call"):
        check_bic(bic)


def test_mahalanobis_with_inv_is_refused_as_the_text_says():
    def mahalanobis_sq(X, mu, sigma):
        diff = X - mu
        return np.einsum("nd,de,ne->n", diff, np.linalg.inv(sigma), diff)

    with pytest.raises(AssertionError, match=r"calls np.linalg.inv, which the exercise asks "
                                             r"you to avoid"):
        check_mahalanobis_sq(mahalanobis_sq)


# --------------------------------------------------------------------------
# Time limit
# --------------------------------------------------------------------------


def test_a_function_that_runs_too_long_is_stopped(time_limit):
    time_limit(0.2)

    def e_step(X, mus, sigmas, pis):
        time.sleep(30)

    with pytest.raises(AssertionError, match=r"e_step failed on case 1 of 6.*\nYour function "
                                             r"did not finish within 0.2 s on input of shape "
                                             r"X \(5, 1\).*a sleep"):
        check_e_step(e_step)


def test_the_time_limit_catches_a_loop_that_swallows_exceptions(time_limit):
    time_limit(0.2)

    def e_step(X, mus, sigmas, pis):
        while True:
            try:
                time.sleep(1)
            except Exception:  # a student's catch-all does not hide the limit
                pass

    with pytest.raises(AssertionError, match=r"did not finish within 0.2 s"):
        check_e_step(e_step)


def test_the_time_limit_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv(checks.TIME_LIMIT_VARIABLE, "2.5")
    assert checks.time_limit() == 2.5
    monkeypatch.setenv(checks.TIME_LIMIT_VARIABLE, "soon")
    with pytest.raises(ValueError, match=r"GMM_TEACH_CHECK_TIME_LIMIT must be a positive "
                                         r"number of seconds, got 'soon'"):
        checks.time_limit()
    monkeypatch.delenv(checks.TIME_LIMIT_VARIABLE)
    assert checks.time_limit() == 10.0


def test_set_time_limit_checks_its_argument_and_none_means_no_limit(time_limit):
    for bad, error in [(0, ValueError), (-1, ValueError), (float("inf"), ValueError),
                       ("10", TypeError), (True, TypeError)]:
        with pytest.raises(error, match=r"seconds"):
            time_limit(bad)
    time_limit(None)
    assert checks.time_limit() is None


# --------------------------------------------------------------------------
# Printed output
# --------------------------------------------------------------------------


def noisy_log_likelihood(X, mus, sigmas, pis):
    for i in range(2000):
        print("debug", i)
    diffs = X[:, None, :] - mus[None]
    quad = np.einsum("nkd,kde,nke->nk", diffs, np.linalg.inv(sigmas), diffs)
    log_det = np.linalg.slogdet(sigmas)[1]
    a = np.log(pis) - 0.5 * (X.shape[1] * np.log(2 * np.pi) + log_det + quad)
    m = a.max(axis=1, keepdims=True)
    return float((m[:, 0] + np.log(np.exp(a - m).sum(axis=1))).sum())


def test_what_the_function_prints_is_summarised_in_one_line(capsys):
    check_log_likelihood(noisy_log_likelihood)
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "log_likelihood: all 6 cases match the reference",
        "(While being checked, your function printed 12,000 lines, not shown here; the first "
        "was 'debug 0'.)",
    ]


def test_prints_are_summarised_under_a_failure_too(capsys):
    def e_step(X, mus, sigmas, pis):
        print("shape", X.shape)
        return np.ones((len(X), len(mus)))

    with pytest.raises(AssertionError, match=r"(?s)your responsibilities.*\n\(While being "
                                             r"checked, your function printed \d+ lines?"):
        check_e_step(e_step)
    assert capsys.readouterr().out == ""


# --------------------------------------------------------------------------
# What the student sees in IPython: the diagnosis, not the checker's frames
# --------------------------------------------------------------------------


def test_ipython_shows_no_frame_of_the_checker(capsys):
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    shell.run_cell(
        "from gmm_teach.checks import check_e_step\n"
        "import numpy as np\n"
        "def e_step(X, mus, sigmas, pis):\n"
        "    return np.ones((len(X), len(mus)))\n"
    )
    capsys.readouterr()
    result = shell.run_cell("check_e_step(e_step)")
    shown = capsys.readouterr()
    text = shown.out + shown.err
    assert isinstance(result.error_in_exec, AssertionError)
    assert "e_step failed on case 2 of 6" in text
    assert "_harness.py" not in text and "e_step.py" not in text, text


# --------------------------------------------------------------------------
# Found by attacking the harness
# --------------------------------------------------------------------------


def e_step_via_loops(X, mus, sigmas, pis):
    from gmm_teach import loops

    return loops.loop_e_step(X, mus, sigmas, pis)[0]


def e_step_via_a_private_helper(X, mus, sigmas, pis):
    return em._normalize(em.log_gaussian_pdf(X, mus, sigmas, pis))[1]


def gmm_in_a_thread(X, mus, sigmas, pis, n_iter):
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        result = pool.submit(em.fit_gmm, X, init=(mus, sigmas, pis), max_iter=n_iter, tol=0,
                             reg_covar=0).result()
    return result.mus, result.sigmas, result.pis, result.log_likelihoods[1:]


@pytest.mark.parametrize("check, fn, what", [
    (check_e_step, e_step_via_loops, r"gmm_teach's own loop_e_step \(in gmm_teach\.loops\)"),
    (check_e_step, e_step_via_a_private_helper, r"gmm_teach's own _normalize"),
    (check_gmm, gmm_in_a_thread, r"gmm_teach's own fit_gmm"),
])
def test_any_other_function_of_the_package_is_refused_even_in_a_thread(check, fn, what):
    with pytest.raises(AssertionError, match=rf"Your function calls {what}, which does the very "
                                             rf"work"):
        check(fn)


def test_the_loop_exercise_may_call_the_steps_it_names(capsys):
    def gmm(X, mus, sigmas, pis, n_iter):
        log_likelihoods = []
        for _ in range(n_iter):
            responsibilities = em.e_step(X, mus, sigmas, pis)
            mus, sigmas, pis = em.m_step(X, responsibilities, reg_covar=0.0)
            log_likelihoods.append(em.log_likelihood(X, mus, sigmas, pis))
        return mus, sigmas, pis, log_likelihoods

    check_gmm(gmm)
    assert "gmm: all 4 cases match" in capsys.readouterr().out


def test_catching_the_time_limit_does_not_help(time_limit):
    time_limit(0.3)

    def forever(X, mus, sigmas, pis):
        while True:
            try:
                time.sleep(0.05)
            except BaseException:  # noqa: B036 (what a student might write)
                pass

    def late(X, mus, sigmas, pis):
        try:
            time.sleep(1.0)
        except BaseException:  # noqa: B036
            pass
        return np.ones((len(X), len(mus))) / len(mus)

    for fn in (forever, late):
        with pytest.raises(AssertionError, match=r"did not finish within 0.3 s"):
            check_e_step(fn)


def test_numpy_errors_set_to_raise_before_the_check_do_not_break_it(capsys):
    from test_checks import loop_gaussian_pdf

    with np.errstate(all="raise"):
        check_gaussian_pdf(loop_gaussian_pdf)
    assert "all 6 cases match" in capsys.readouterr().out


def test_odd_raises_are_reported_in_one_sentence():
    class Unprintable(Exception):
        def __str__(self):
            raise RuntimeError("no")

    def raises_unprintable(X, mus, sigmas, pis):
        raise Unprintable()

    def exits(X, mus, sigmas, pis):
        raise SystemExit(3)

    with pytest.raises(AssertionError, match=r"raised Unprintable: \(its message cannot be shown\)"):
        check_e_step(raises_unprintable)
    with pytest.raises(AssertionError, match=r"called exit\(\)"):
        check_e_step(exits)


def test_a_trace_function_set_by_the_student_is_removed():
    import sys

    before = sys.gettrace()

    def e_step(X, mus, sigmas, pis):
        sys.settrace(lambda *args: None)
        return np.ones((len(X), len(mus)))

    with pytest.raises(AssertionError):
        check_e_step(e_step)
    assert sys.gettrace() is before
