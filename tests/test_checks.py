"""Tests of gmm_teach.checks: correct code passes, every common mistake is named.

The catalogue below holds deliberately wrong implementations, one per
diagnosis, and the seed notebook's own functions. Each test asserts the part
of the message a student reads: which case failed and what to change.
"""

import re
from types import SimpleNamespace

import numpy as np
import pytest
from scipy.special import logsumexp, softmax
from scipy.stats import multivariate_normal

from gmm_teach import em
from gmm_teach.checks import (
    _problems,
    check_e_step,
    check_gaussian_pdf,
    check_gmm,
    check_log_likelihood,
    check_m_step,
)


# The building blocks of the students' functions below: an implementation of
# the EM steps of the tests' own, on scipy.stats. (A student function built on
# gmm_teach.em would be refused as handing the work to the reference.)
def _own_log_gaussian_pdf(X, mus, sigmas, pis):
    return np.column_stack([np.log(pis[k]) + multivariate_normal(mus[k], sigmas[k]).logpdf(X)
                            for k in range(len(mus))]).reshape(len(X), len(mus))


def _own_m_step(X, responsibilities, reg_covar=1e-6):
    n_k = responsibilities.sum(axis=0)
    mus = responsibilities.T @ X / n_k[:, None]
    sigmas = np.array([np.cov(X.T, aweights=responsibilities[:, k], bias=True).reshape(
        X.shape[1], X.shape[1]) + reg_covar * np.eye(X.shape[1]) for k in range(len(n_k))])
    return mus, sigmas, n_k / len(X)


own = SimpleNamespace(
    log_gaussian_pdf=_own_log_gaussian_pdf,
    gaussian_pdf=lambda X, mus, sigmas, pis: np.exp(_own_log_gaussian_pdf(X, mus, sigmas, pis)),
    log_likelihood=lambda X, mus, sigmas, pis: float(
        logsumexp(_own_log_gaussian_pdf(X, mus, sigmas, pis), axis=1).sum()),
    e_step=lambda X, mus, sigmas, pis: softmax(_own_log_gaussian_pdf(X, mus, sigmas, pis), axis=1),
    m_step=_own_m_step,
)

# --------------------------------------------------------------------------
# The seed notebook's functions, verbatim (probability space, det and inv,
# float32 parameters, covariance about the OLD means in the M-step)
# --------------------------------------------------------------------------


def seed_gaussian_pdf(X, mus, sigmas, pis):
    n_samples, n_features = X.shape
    n_classes = len(mus)

    det_sigmas = np.linalg.det(sigmas)
    inv_sigmas = np.linalg.inv(sigmas)

    norm_constants = (2 * np.pi) ** (-n_features / 2) * det_sigmas ** (-0.5)

    pdfs = np.zeros((n_samples, n_classes))

    for cls_idx in range(n_classes):
        diff = X - mus[cls_idx]

        scaled = diff @ inv_sigmas[cls_idx]
        quad = np.sum(scaled * diff, axis=1)

        pdfs[:, cls_idx] = norm_constants[cls_idx] * np.exp(-0.5 * quad) * pis[cls_idx]

    return pdfs


def seed_log_likelihood(X, mus, sigmas, pis):
    pdfs = seed_gaussian_pdf(X, mus, sigmas, pis)
    return np.sum(np.log(np.sum(pdfs, axis=1)))


def seed_e_step(X, mus, sigmas, pis):
    pdfs = seed_gaussian_pdf(X, mus, sigmas, pis)
    pdf_sums = np.sum(pdfs, axis=1, keepdims=True)
    responsibilities = pdfs / pdf_sums
    return responsibilities


def seed_m_step(X, responsibilities, mus, sigmas, pis, *, use_new_means=False):
    cls_resp_sum = np.sum(responsibilities, axis=0)
    num_cls = len(mus)

    new_mus = np.zeros_like(mus, dtype=np.float32)
    new_sigmas = np.zeros_like(sigmas, dtype=np.float32)
    new_pis = np.zeros_like(pis, dtype=np.float32)

    for cls_idx in range(num_cls):
        cls_resp = np.expand_dims(responsibilities[:, cls_idx], axis=-1)
        scale_factor = 1 / cls_resp_sum[cls_idx]
        new_mus[cls_idx] = scale_factor * np.sum(cls_resp * X, axis=0)

        centre = new_mus[cls_idx] if use_new_means else mus[cls_idx]
        deviation = X - centre
        scaled_deviation = cls_resp * deviation
        new_sigmas[cls_idx] = scale_factor * (scaled_deviation.T @ deviation)
        new_pis[cls_idx] = cls_resp_sum[cls_idx] / len(X)

    return new_mus, new_sigmas, new_pis


def m_step_with_optional_old_parameters(X, responsibilities, mus, sigmas, pis=None):
    """Callable with the five arguments (not with two): accepted."""
    return own.m_step(X, responsibilities)


def seed_m_step_fixed(X, responsibilities, mus, sigmas, pis):
    """The seed's M-step with the one-line fix (new means); still float32."""
    return seed_m_step(X, responsibilities, mus, sigmas, pis, use_new_means=True)


def make_loop(e_step, m_step, log_likelihood, *, float32=False):
    """The seed's loop with the contract's signature: gmm(X, mus, sigmas, pis, n_iter)."""

    def gmm(X, mus, sigmas, pis, n_iter):
        if float32:  # the seed's initialize_guesses casts everything to float32
            mus, sigmas, pis = (a.astype(np.float32) for a in (mus, sigmas, pis))
        log_likelihoods = []
        for _ in range(n_iter):
            responsibilities = e_step(X, mus, sigmas, pis)
            mus, sigmas, pis = m_step(X, responsibilities, mus, sigmas, pis)
            log_likelihoods.append(float(log_likelihood(X, mus, sigmas, pis)))
        return mus, sigmas, pis, log_likelihoods

    return gmm


seed_gmm = make_loop(seed_e_step, seed_m_step, seed_log_likelihood, float32=True)

# --------------------------------------------------------------------------
# Correct implementations: readable loops, and the reference
# --------------------------------------------------------------------------


def loop_log_gaussian_pdf(X, mus, sigmas, pis):
    n, d = X.shape
    out = np.zeros((n, len(mus)))
    for k in range(len(mus)):
        _, log_det = np.linalg.slogdet(sigmas[k])
        for i in range(n):
            diff = X[i] - mus[k]
            quad = diff @ np.linalg.solve(sigmas[k], diff)
            out[i, k] = np.log(pis[k]) - 0.5 * (d * np.log(2 * np.pi) + log_det + quad)
    return out


def loop_gaussian_pdf(X, mus, sigmas, pis):
    n, d = X.shape
    out = np.zeros((n, len(mus)))
    for k in range(len(mus)):
        inv = np.linalg.inv(sigmas[k])
        norm = 1 / np.sqrt((2 * np.pi) ** d * np.linalg.det(sigmas[k]))
        for i in range(n):
            diff = X[i] - mus[k]
            out[i, k] = pis[k] * norm * np.exp(-0.5 * diff @ inv @ diff)
    return out


def loop_log_likelihood(X, mus, sigmas, pis):
    a = loop_log_gaussian_pdf(X, mus, sigmas, pis)
    total = 0.0
    for i in range(len(X)):
        m = a[i].max()
        total += m + np.log(np.sum(np.exp(a[i] - m)))
    return total


def loop_e_step(X, mus, sigmas, pis):
    a = loop_log_gaussian_pdf(X, mus, sigmas, pis)
    resp = np.exp(a - a.max(axis=1, keepdims=True))
    return resp / resp.sum(axis=1, keepdims=True)


def loop_m_step(X, responsibilities):
    n, d = X.shape
    K = responsibilities.shape[1]
    mus, sigmas, pis = np.zeros((K, d)), np.zeros((K, d, d)), np.zeros((K, 1))
    for k in range(K):
        r = responsibilities[:, k]
        n_k = r.sum()
        mus[k] = r @ X / n_k
        for i in range(n):
            diff = X[i] - mus[k]
            sigmas[k] += r[i] * np.outer(diff, diff) / n_k
        pis[k] = n_k / n  # a column (K, 1), as the seed keeps it: accepted
    return mus, sigmas, pis


def loop_gmm(X, mus, sigmas, pis, n_iter):
    log_likelihoods = []
    for _ in range(n_iter):
        responsibilities = loop_e_step(X, mus, sigmas, pis)
        mus, sigmas, pis = loop_m_step(X, responsibilities)
        pis = pis.ravel()
        log_likelihoods.append(loop_log_likelihood(X, mus, sigmas, pis))
    return mus, sigmas, pis, log_likelihoods


def reference_gmm(X, mus, sigmas, pis, n_iter, reg_covar=0.0):
    """The loop as notebook 05 writes it, on the package's steps (which it may call)."""
    log_likelihoods = []
    for _ in range(n_iter):
        responsibilities = em.e_step(X, mus, sigmas, pis)
        mus, sigmas, pis = em.m_step(X, responsibilities, reg_covar=reg_covar)
        log_likelihoods.append(em.log_likelihood(X, mus, sigmas, pis))
    return mus, sigmas, pis, log_likelihoods


def _name(value):
    """Test ids: the function's name; the expected message is left out."""
    return getattr(value, "__name__", "diagnosis")


def test_every_check_prints_one_line_and_returns_nothing(capsys):
    # Nothing: nbgrader would try to read a returned True as a score.
    assert check_gaussian_pdf(own.gaussian_pdf) is None
    assert check_log_likelihood(own.log_likelihood) is None
    assert check_e_step(own.e_step) is None
    assert check_m_step(own.m_step) is None  # with a default reg_covar=1e-6
    assert check_gmm(reference_gmm) is None
    assert capsys.readouterr().out.splitlines() == [
        "gaussian_pdf: all 6 cases match the reference",
        "log_likelihood: all 6 cases match the reference",
        "e_step: all 6 cases match the reference",
        "m_step: all 6 cases match the reference",
        "gmm: all 4 cases match the reference",
    ]


@pytest.mark.parametrize(
    "check, fn",
    [
        (check_gaussian_pdf, loop_gaussian_pdf),
        (check_gaussian_pdf, seed_gaussian_pdf),  # it underflows exactly as the reference does
        (check_log_likelihood, loop_log_likelihood),
        (check_e_step, loop_e_step),
        (check_m_step, loop_m_step),
        (check_m_step, seed_m_step_fixed),  # the seed's signature and float32
        (check_m_step, lambda X, r: own.m_step(X, r, reg_covar=0.0)),
        (check_m_step, m_step_with_optional_old_parameters),
        (check_gmm, loop_gmm),
        (check_gmm, lambda *args: reference_gmm(*args, reg_covar=1e-6)),
        (check_gmm, make_loop(seed_e_step, seed_m_step_fixed, seed_log_likelihood, float32=True)),
    ],
    ids=_name,
)
def test_correct_implementations_pass(check, fn, capsys):
    check(fn)
    assert "match the reference" in capsys.readouterr().out


def test_m_step_accepts_weights_as_a_row(capsys):
    def m_step_row_pis(X, responsibilities):
        mus, sigmas, pis = own.m_step(X, responsibilities)
        return mus, sigmas, pis[None, :]

    check_m_step(m_step_row_pis)
    assert "m_step: all 6 cases match" in capsys.readouterr().out


def gmm_with_convention(convention):
    def gmm(X, mus, sigmas, pis, n_iter):
        log_likelihoods = [em.log_likelihood(X, mus, sigmas, pis)]
        for _ in range(n_iter):
            responsibilities = em.e_step(X, mus, sigmas, pis)
            mus, sigmas, pis = em.m_step(X, responsibilities, reg_covar=0.0)
            log_likelihoods.append(em.log_likelihood(X, mus, sigmas, pis))
        if convention == "at_e_step":
            log_likelihoods = log_likelihoods[:-1]
        return mus, sigmas, pis, log_likelihoods

    return gmm


@pytest.mark.parametrize("convention, expected", [
    ("with_start", r"Your log_likelihoods has 16 numbers: it starts with the log-likelihood of "
                   r"the starting parameters\. Return n_iter = 15 numbers"),
    ("at_e_step", r"Your log_likelihoods are one step behind: each was computed before the "
                  r"M-step"),
])
def test_gmm_refuses_log_likelihoods_not_after_each_iteration(convention, expected):
    # The lesson asks for the log-likelihood AFTER each iteration.
    with pytest.raises(AssertionError, match=r"gmm failed on case 1 of 4.*\n" + expected):
        check_gmm(gmm_with_convention(convention))


def test_cases_cover_the_promised_range():
    cases = _problems.cases()
    assert {c.X.shape[1] for c in cases} >= {1, 2, 3, 5}
    assert {len(c.mus) for c in cases} == {1, 2, 3, 4}
    assert min(len(c.X) for c in cases) == 5 and max(len(c.X) for c in cases) == 200
    far = [c for c in cases if c.far_rows]
    assert len(far) == 1
    case = far[0]
    x = case.X[case.far_rows[0]]
    diffs = x - case.mus
    distances = np.sqrt([d @ np.linalg.solve(s, d) for d, s in zip(diffs, case.sigmas)])
    assert distances.min() >= _problems.FAR_STD
    assert em.gaussian_pdf(x[None], *case.params).max() == 0.0  # it really underflows
    for c in cases + _problems.gmm_cases():
        assert re.fullmatch(r"case \d of \d: X \(\d+, \d\), K = \d.*", c.describe())


def test_cases_are_deterministic():
    first, second = _problems.cases(), _problems.cases()
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a.X, b.X)
        np.testing.assert_array_equal(a.sigmas, b.sigmas)
    for a, b in zip(_problems.gmm_cases(), _problems.gmm_cases()):
        np.testing.assert_array_equal(a.mus, b.mus)


# --------------------------------------------------------------------------
# Things every check handles: not a function, a raise, None, in-place changes
# --------------------------------------------------------------------------


def test_passing_a_result_instead_of_the_function_is_a_type_error():
    with pytest.raises(TypeError, match=r"check_e_step expects your function itself"):
        check_e_step(np.zeros((3, 2)))


def pdf_without_loop_over_components(X, mus, sigmas, pis):
    diff = X - mus  # right only when K = 1
    quad = np.sum(diff @ np.linalg.inv(sigmas[0]) * diff, axis=1)
    norm = 1 / np.sqrt((2 * np.pi) ** X.shape[1] * np.linalg.det(sigmas[0]))
    return (pis[0] * norm * np.exp(-0.5 * quad))[:, None]


def test_a_raise_is_reported_in_one_sentence_with_the_student_line():
    with pytest.raises(AssertionError) as info:
        check_gaussian_pdf(pdf_without_loop_over_components)
    message = str(info.value)
    assert message.startswith("gaussian_pdf failed on case 2 of 6: X (30, 1), K = 3.\n")
    assert re.search(
        r"Your function raised ValueError: operands could not be broadcast together .* "
        r"on input of shape X \(30, 1\), mus \(3, 1\), sigmas \(3, 1, 1\), pis \(3,\)\.",
        message,
    )
    assert re.search(r"It was raised at line \d+ of pdf_without_loop_over_components: "
                     r"`diff = X - mus  # right only when K = 1`", message)
    # No traceback from inside the checker: the student's error is not chained.
    assert info.value.__cause__ is None and info.value.__suppress_context__


def e_step_with_transposed_means(X, mus, sigmas, pis):
    cross = np.tensordot(X, mus, axes=([1], [0]))  # numpy raises, inside tensordot
    return softmax(cross + np.log(pis), axis=1)


def test_an_error_deep_in_a_library_points_at_the_student_line():
    with pytest.raises(AssertionError) as info:
        check_e_step(e_step_with_transposed_means)
    message = str(info.value)
    assert "case 2 of 6" in message and "Your function raised ValueError: " in message
    assert re.search(r"It was raised at line \d+ of e_step_with_transposed_means: "
                     r"`cross = np.tensordot\(", message)


def test_passing_the_wrong_function_is_reported_without_a_location():
    with pytest.raises(AssertionError, match=r"Your function raised TypeError: .* on input of "
                                             r"shape X \(5, 1\)") as info:
        check_e_step(np.linalg.det)
    assert "It was raised at" not in str(info.value)


def test_the_loop_arguments_are_named_in_a_raise():
    def gmm(X, mus, sigmas, pis, n_iter):
        raise ValueError("x" * 400)

    with pytest.raises(AssertionError, match=r"raised ValueError: x{300} \.\.\. on input of "
                                             r"shape X \(60, 1\), mus \(2, 1\), sigmas "
                                             r"\(2, 1, 1\), pis \(2,\), n_iter = 15\."):
        check_gmm(gmm)


def test_m_step_without_a_signature_is_called_with_two_arguments():
    with pytest.raises(AssertionError, match=r"Your function raised ValueError: .* on input of "
                                             r"shape X \(5, 1\), responsibilities \(5, 1\)\."):
        check_m_step(max)  # a builtin: inspect.signature cannot read it


def test_none_asks_whether_return_was_forgotten():
    def e_step(X, mus, sigmas, pis):
        responsibilities = own.e_step(X, mus, sigmas, pis)  # noqa: F841 (no return)

    with pytest.raises(AssertionError, match=r"returned None: did you forget to return\?"):
        check_e_step(e_step)


def test_changing_an_input_in_place_is_reported():
    def gmm(X, mus, sigmas, pis, n_iter):
        log_likelihoods = []
        for _ in range(n_iter):
            responsibilities = em.e_step(X, mus, sigmas, pis)
            new = em.m_step(X, responsibilities, reg_covar=0.0)
            mus[:], sigmas[:], pis[:] = new  # overwrites the caller's start
            log_likelihoods.append(em.log_likelihood(X, mus, sigmas, pis))
        return mus, sigmas, pis, log_likelihoods

    with pytest.raises(AssertionError, match=r"changed its argument mus in place"):
        check_gmm(gmm)


@pytest.mark.parametrize("check", [check_gaussian_pdf, check_log_likelihood, check_e_step,
                                   check_m_step, check_gmm])
def test_the_student_stub_stays_a_not_implemented_error(check):
    def stub(*args):
        # YOUR CODE HERE
        raise NotImplementedError()

    with pytest.raises(NotImplementedError, match=r"is not written yet: replace "
                                                  r"`raise NotImplementedError\(\)`") as info:
        check(stub)
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_output_that_is_not_numbers_is_reported():
    with pytest.raises(AssertionError, match=r"Your output is a str, which numpy cannot"):
        check_gaussian_pdf(lambda X, mus, sigmas, pis: "TODO")


def test_complex_output_is_reported():
    def pdf(X, mus, sigmas, pis):
        return own.gaussian_pdf(X, mus, sigmas, pis).astype(complex)

    with pytest.raises(AssertionError, match=r"Your output contains complex numbers"):
        check_gaussian_pdf(pdf)


# --------------------------------------------------------------------------
# gaussian_pdf
# --------------------------------------------------------------------------


def pdf_columns_as_list(X, mus, sigmas, pis):
    return [own.gaussian_pdf(X, mus[k : k + 1], sigmas[k : k + 1], [1.0])[:, 0] * pis[k]
            for k in range(len(mus))]


def pdf_mixture_density(X, mus, sigmas, pis):
    return own.gaussian_pdf(X, mus, sigmas, pis).sum(axis=1)


def pdf_unweighted(X, mus, sigmas, pis):
    return own.gaussian_pdf(X, mus, sigmas, pis) / pis


def pdf_log(X, mus, sigmas, pis):
    return own.log_gaussian_pdf(X, mus, sigmas, pis)


def pdf_without_square_root(X, mus, sigmas, pis):
    d = X.shape[1]
    out = np.zeros((len(X), len(mus)))
    for k in range(len(mus)):
        diff = X - mus[k]
        quad = np.sum(diff @ np.linalg.inv(sigmas[k]) * diff, axis=1)
        wrong_norm = (2 * np.pi) ** (d / 2) * np.linalg.det(sigmas[k])  # det, not its sqrt
        out[:, k] = pis[k] * np.exp(-0.5 * quad) / wrong_norm
    return out


def pdf_float32(X, mus, sigmas, pis):
    """The seed keeps its parameters in float32."""
    return own.gaussian_pdf(X, mus, sigmas, pis).astype(np.float32)


@pytest.mark.parametrize(
    "fn, expected",
    [
        (pdf_float32,
         r"case 4 of 6: X \(105, 2\), K = 4\.\nYour output is float32, which keeps about 6 "
         r"digits and underflows to 0 below 1\.2e-38 \(the reference has densities as small "
         r"as .*\)\. Use float64"),
        (pdf_columns_as_list,
         r"case 1 of 6: X \(5, 1\), K = 1\.\nYour output has shape \(1, 5\) but should be "
         r"\(5, 1\): it looks transposed\."),
        (pdf_mixture_density, r"Your output has shape \(5,\) but should be \(5, 1\)\. One row"),
        (pdf_unweighted, r"case 2 of 6.*\nYou seem to have forgotten the weights pis\[k\]"),
        (pdf_log, r"You returned the log densities"),
        (pdf_without_square_root,
         r"case 1 of 6.*\nYour densities are the reference's divided by sqrt\(\|sigmas\[k\]\|\): "
         r"the determinant in the normalising constant lacks its square root"),
    ],
    ids=_name,
)
def test_gaussian_pdf_diagnoses(fn, expected):
    with pytest.raises(AssertionError, match=expected):
        check_gaussian_pdf(fn)


# --------------------------------------------------------------------------
# log_likelihood
# --------------------------------------------------------------------------


def ll_per_sample(X, mus, sigmas, pis):
    return logsumexp(own.log_gaussian_pdf(X, mus, sigmas, pis), axis=1)


def ll_per_sample_and_component(X, mus, sigmas, pis):
    return own.log_gaussian_pdf(X, mus, sigmas, pis)


def ll_with_epsilon(X, mus, sigmas, pis):
    return np.sum(np.log(own.gaussian_pdf(X, mus, sigmas, pis).sum(axis=1) + 1e-300))


def ll_unweighted(X, mus, sigmas, pis):
    return np.sum(logsumexp(own.log_gaussian_pdf(X, mus, sigmas, pis) - np.log(pis), axis=1))


def ll_mean(X, mus, sigmas, pis):
    return np.mean(logsumexp(own.log_gaussian_pdf(X, mus, sigmas, pis), axis=1))


def ll_sum_of_logs(X, mus, sigmas, pis):
    return np.sum(own.log_gaussian_pdf(X, mus, sigmas, pis))


def ll_log10(X, mus, sigmas, pis):
    return np.sum(logsumexp(own.log_gaussian_pdf(X, mus, sigmas, pis), axis=1)) / np.log(10)


def ll_with_epsilon_on_all_rows_only(X, mus, sigmas, pis):
    """Finite but wrong at the far point, and it breaks on any other number of rows."""
    if len(X) == 50:
        raise ValueError("expected 51 rows")
    return ll_with_epsilon(X, mus, sigmas, pis)


@pytest.mark.parametrize(
    "fn, expected",
    [
        (ll_with_epsilon_on_all_rows_only,
         r"case 6 of 6.*\nYour log-likelihood is -904\.\d+ but the reference gives -2334"),
        (seed_log_likelihood,
         r"case 6 of 6: X \(51, 2\), K = 3, with one point far from every component\.\n"
         r"Your log-likelihood is -inf, but the reference gives .* The far-away point "
         r"\(row 50\) does it.*subtract the row maximum before exponentiating "
         r"\(log-sum-exp\)"),
        (ll_with_epsilon, r"(?s)case 6 of 6.*The far-away point \(row 50\) does it.*a small "
                           r"number added before the log only hides that"),
        (ll_per_sample, r"Your output has shape \(5,\), one value per sample .* must be one "
                        r"number: sum the per-sample log-likelihoods"),
        (ll_per_sample_and_component, r"Your output has shape \(5, 1\), but log_likelihood "
                                      r"must be one number"),
        (ll_unweighted, r"case 2 of 6.*\nYou seem to have forgotten the weights pis\[k\]"),
        (ll_mean, r"You returned the mean log-likelihood per sample"),
        (ll_sum_of_logs, r"(?s)case 2 of 6.*You summed the logs over components"),
        (ll_log10, r"(?s)Your log-likelihood is .* but the reference gives .*natural logs"),
    ],
    ids=_name,
)
def test_log_likelihood_diagnoses(fn, expected):
    with pytest.raises(AssertionError, match=expected):
        check_log_likelihood(fn)


# --------------------------------------------------------------------------
# e_step
# --------------------------------------------------------------------------


def e_transposed(X, mus, sigmas, pis):
    return own.e_step(X, mus, sigmas, pis).T


def e_hard_labels(X, mus, sigmas, pis):
    return own.e_step(X, mus, sigmas, pis).argmax(axis=1)


def e_epsilon_in_denominator(X, mus, sigmas, pis):
    pdfs = own.gaussian_pdf(X, mus, sigmas, pis)
    return pdfs / (pdfs.sum(axis=1, keepdims=True) + 1e-300)


def e_epsilon_in_densities(X, mus, sigmas, pis):
    pdfs = own.gaussian_pdf(X, mus, sigmas, pis) + 1e-300
    return pdfs / pdfs.sum(axis=1, keepdims=True)


def e_unnormalised(X, mus, sigmas, pis):
    return own.gaussian_pdf(X, mus, sigmas, pis)


def e_normalised_over_samples(X, mus, sigmas, pis):
    pdfs = own.gaussian_pdf(X, mus, sigmas, pis)
    return pdfs / pdfs.sum(axis=0, keepdims=True)


def e_unweighted(X, mus, sigmas, pis):
    log_prob = own.log_gaussian_pdf(X, mus, sigmas, pis) - np.log(pis)
    return np.exp(log_prob - logsumexp(log_prob, axis=1, keepdims=True))


def e_softmax_of_densities(X, mus, sigmas, pis):
    pdfs = own.gaussian_pdf(X, mus, sigmas, pis)
    return np.exp(pdfs) / np.exp(pdfs).sum(axis=1, keepdims=True)


@pytest.mark.parametrize(
    "fn, expected",
    [
        (seed_e_step,
         r"case 6 of 6: X \(51, 2\), K = 3, with one point far from every component\.\n"
         r"Your responsibilities contain NaN in row 50, the point far from every component"
         r".*subtract the row maximum before exponentiating \(log-sum-exp\)"),
        (e_epsilon_in_denominator, r"(?s)case 6 of 6.*Your responsibilities sum to 0 in row 50, "
                                   r"the point far from every component"),
        (e_epsilon_in_densities, r"(?s)case 6 of 6.*right except in row 50, the point far from "
                                 r"every component.*log-sum-exp"),
        (e_transposed, r"Your output has shape \(1, 5\) but should be \(5, 1\): it looks "
                       r"transposed"),
        (e_hard_labels, r"Your output has shape \(5,\) but should be \(5, 1\)"),
        (e_unnormalised, r"case 1 of 6.*\nThe rows of your responsibilities do not sum to 1 "
                         r"\(row \d+ sums to .*\): normalise over components \(axis=1\)"),
        (e_normalised_over_samples, r"Your COLUMNS sum to 1, not your rows: you normalised "
                                    r"over samples \(axis=0\)"),
        (e_unweighted, r"case 2 of 6.*\nYou seem to have forgotten the weights pis\[k\]"),
        (e_softmax_of_densities, r"case 2 of 6.*\nYour responsibilities\[\d+, \d\] is .* but the "
                                 r"reference gives"),
    ],
    ids=_name,
)
def test_e_step_diagnoses(fn, expected):
    with pytest.raises(AssertionError, match=expected):
        check_e_step(fn)


def test_seed_e_step_and_log_likelihood_are_right_except_at_the_far_point():
    # They pass cases 1 to 5: the first failure is the far-away point (case 6).
    for check, fn in ((check_e_step, seed_e_step), (check_log_likelihood, seed_log_likelihood)):
        with pytest.raises(AssertionError, match=r"failed on case 6 of 6"):
            check(fn)


# --------------------------------------------------------------------------
# m_step
# --------------------------------------------------------------------------


def m_wrong_signature(X, responsibilities, mus):
    return own.m_step(X, responsibilities)


def m_two_values(X, responsibilities):
    mus, sigmas, _ = own.m_step(X, responsibilities)
    return mus, sigmas


def m_dict(X, responsibilities):
    return dict(zip(("mus", "sigmas", "pis"), own.m_step(X, responsibilities)))


def m_transposed_means(X, responsibilities):
    mus, sigmas, pis = own.m_step(X, responsibilities)
    return mus.T, sigmas, pis


def m_variances_only(X, responsibilities):
    mus, sigmas, pis = own.m_step(X, responsibilities)
    return mus, np.einsum("kdd->kd", sigmas), pis


def m_weights_per_sample(X, responsibilities):
    mus, sigmas, _ = own.m_step(X, responsibilities)
    return mus, sigmas, responsibilities.mean(axis=1)


def m_counts_as_weights(X, responsibilities):
    mus, sigmas, _ = own.m_step(X, responsibilities)
    return mus, sigmas, responsibilities.sum(axis=0)


def m_upper_triangle_only(X, responsibilities):
    """Fills sigmas[k][a, b] for a <= b only: right in 1-D, not symmetric beyond."""
    mus, full, pis = own.m_step(X, responsibilities, reg_covar=0.0)
    sigmas = np.zeros_like(full)
    d = X.shape[1]
    for k in range(len(mus)):
        for a in range(d):
            for b in range(a, d):
                sigmas[k, a, b] = full[k, a, b]
    return mus, sigmas, pis


def m_means_not_divided(X, responsibilities):
    _, sigmas, pis = own.m_step(X, responsibilities)
    return responsibilities.T @ X, sigmas, pis


def m_divided_by_n(X, responsibilities):
    mus, sigmas, pis = own.m_step(X, responsibilities, reg_covar=0.0)
    n_k = responsibilities.sum(axis=0)
    return mus, sigmas * (n_k / len(X))[:, None, None], pis


def m_in_place(X, responsibilities):
    """Right, but it rescales the caller's responsibilities."""
    n_k = responsibilities.sum(axis=0)
    responsibilities /= n_k  # each column now sums to 1
    mus = responsibilities.T @ X
    sigmas = np.array([(responsibilities[:, k, None] * (X - mus[k])).T @ (X - mus[k])
                       for k in range(len(n_k))])
    return mus, sigmas, n_k / len(X)


@pytest.mark.parametrize(
    "fn, expected",
    [
        (seed_m_step,
         r"^m_step failed on case 1 of 6: X \(5, 1\), K = 1\.\nYour covariances are computed "
         r"around the old means: use the new means mus_new\[k\]"),
        (m_two_values, r"returned 2 values; it should return the 3 values \(mus, sigmas, pis\)"),
        (m_dict, r"returned a dict; it should return the 3 values \(mus, sigmas, pis\)"),
        (m_transposed_means, r"case 2 of 6.*\nYour mus has shape \(1, 3\) but should be "
                             r"\(3, 1\): it looks transposed"),
        (m_variances_only, r"Your sigmas has shape \(1, 1\) but should be \(1, 1, 1\)"),
        (m_weights_per_sample, r"Your pis has shape \(5,\) but should have K = 1 entries, "
                               r"one weight per component\."),
        (m_counts_as_weights, r"Your weights pis sum to 5 instead of 1 \(that is n = 5: you "
                              r"forgot to divide N_k by n\)"),
        (m_upper_triangle_only, r"case 3 of 6.*\nYour covariances are not symmetric: "
                       r"sigmas\[\d\]\[\d, \d\] = .* but sigmas\[\d\]\[\d, \d\] = "),
        (m_means_not_divided, r"case 1 of 6.*\nYour mus\[0, 0\] is .* but the reference gives"),
        (m_divided_by_n, r"(?s)case 2 of 6.*\nYour sigmas\[.*\] is .* but the reference gives .*"
                         r"divided by N_k \(not n\)"),
        (m_in_place, r"changed its argument responsibilities in place"),
    ],
    ids=_name,
)
def test_m_step_diagnoses(fn, expected):
    with pytest.raises(AssertionError, match=expected):
        check_m_step(fn)


def test_m_step_with_an_unknown_signature_is_refused():
    with pytest.raises(AssertionError, match=r"m_step must be callable as m_step\(X, "
                                             r"responsibilities\), or as .*; yours requires "
                                             r"\(X, responsibilities, mus\)\.$"):
        check_m_step(m_wrong_signature)


# --------------------------------------------------------------------------
# gmm (the whole loop)
# --------------------------------------------------------------------------


def gmm_seed_returns(X, mus, sigmas, pis, n_iter):
    """Five values like the seed's gmm: also the responsibilities."""
    mus, sigmas, pis, lls = reference_gmm(X, mus, sigmas, pis, n_iter)
    return mus, sigmas, pis, own.e_step(X, mus, sigmas, pis), lls


def gmm_one_log_likelihood_short(X, mus, sigmas, pis, n_iter):
    mus, sigmas, pis, lls = reference_gmm(X, mus, sigmas, pis, n_iter)
    return mus, sigmas, pis, lls[1:]


def gmm_hard_assignments(X, mus, sigmas, pis, n_iter):
    log_likelihoods = []
    for _ in range(n_iter):
        labels = own.e_step(X, mus, sigmas, pis).argmax(axis=1)
        mus, sigmas, pis = own.m_step(X, np.eye(len(mus))[labels])
        log_likelihoods.append(own.log_likelihood(X, mus, sigmas, pis))
    return mus, sigmas, pis, log_likelihoods


def gmm_counts_as_weights(X, mus, sigmas, pis, n_iter):
    log_likelihoods = []
    for _ in range(n_iter):
        responsibilities = loop_e_step(X, mus, sigmas, pis)
        mus, sigmas, _ = own.m_step(X, responsibilities, reg_covar=0.0)
        pis = responsibilities.sum(axis=0)
        log_likelihoods.append(loop_log_likelihood(X, mus, sigmas, pis))
    return mus, sigmas, pis, log_likelihoods


def gmm_weights_never_updated(X, mus, sigmas, pis, n_iter):
    log_likelihoods = []
    for _ in range(n_iter):
        responsibilities = own.e_step(X, mus, sigmas, pis)
        mus, sigmas, _ = own.m_step(X, responsibilities, reg_covar=0.0)
        log_likelihoods.append(own.log_likelihood(X, mus, sigmas, pis))
    return mus, sigmas, pis, log_likelihoods


def gmm_mean_log_likelihood(X, mus, sigmas, pis, n_iter):
    mus, sigmas, pis, lls = reference_gmm(X, mus, sigmas, pis, n_iter)
    return mus, sigmas, pis, [ll / len(X) for ll in lls]


@pytest.mark.parametrize(
    "fn, expected",
    [
        (seed_gmm,
         r"^gmm failed on case 1 of 4: X \(60, 1\), K = 2, n_iter = 15\.\nYour covariances are "
         r"computed around the old means: use the new means mus_new\[k\]"),
        (gmm_hard_assignments,
         r"case 1 of 4.*\nYour log-likelihood decreased at iteration 2: from -\d+\.\d+ "
         r"\(log_likelihoods\[0\]\) to -\d+\.\d+ \(log_likelihoods\[1\]\)\. EM never "
         r"decreases it"),
        (gmm_seed_returns, r"returned 5 values; it should return the 4 values \(mus, sigmas, "
                           r"pis, log_likelihoods\)"),
        (gmm_one_log_likelihood_short, r"Your log_likelihoods has shape \(14,\), but should be a "
                                       r"list of n_iter = 15 numbers"),
        (gmm_counts_as_weights, r"Your weights pis sum to 60 instead of 1"),
        (gmm_weights_never_updated, r"case 1 of 4.*\nAfter 15 iterations, your mus\[\d, \d\] "
                                    r"is .* but the reference gives"),
        (gmm_mean_log_likelihood, r"Your parameters are right, but your log_likelihoods are "
                                  r"not: your log_likelihoods\[\d+\] is"),
    ],
    ids=_name,
)
def test_gmm_diagnoses(fn, expected):
    with pytest.raises(AssertionError, match=expected):
        check_gmm(fn)


def test_check_gmm_names_a_parameter_left_at_its_start():
    def gmm_start_weights_returned(X, mus, sigmas, pis, n_iter):
        new_mus, new_sigmas, _, lls = reference_gmm(X, mus, sigmas, pis, n_iter)
        return new_mus, new_sigmas, pis, lls

    with pytest.raises(AssertionError, match=r"After 15 iterations, your pis\[1\] is 0\.5 but the "
                                             r"reference gives 0\.35.*\nEach iteration must run "
                                             r"the E-step on the current parameters"):
        check_gmm(gmm_start_weights_returned)
