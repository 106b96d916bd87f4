"""Property-based tests of the public numeric API (issue 10).

Arbitrary shapes, scales from 1e-150 to 1e150, duplicated points, NaN and inf,
wrong types: every call either returns finite results or raises a ValueError or
TypeError (never numpy's LinAlgError, itself a ValueError) whose message names
an argument. The number of examples is fixed and the run derandomised, so the
cases are the same every run; conftest.py prints how many were tried.
"""

import re
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import PROPERTY_CASES
from gmm_teach import (
    aic,
    bic,
    e_step,
    fit_gmm,
    gaussian_pdf,
    initialize,
    log_gaussian_pdf,
    log_likelihood,
    m_step,
    n_parameters,
)

SETTINGS = settings(
    max_examples=300,
    derandomize=True,
    deadline=None,
    database=None,  # no .hypothesis folder in the work tree: the cases are fixed anyway
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

ARGUMENTS = ("X", "mus", "sigmas", "pis", "responsibilities", "n_components", "n_features",
             "reg_covar", "random_state", "init", "method", "tol", "max_iter")
NAMED = re.compile(r"\b(" + "|".join(ARGUMENTS) + r")\b")

# --------------------------------------------------------------------------
# Strategies
# --------------------------------------------------------------------------

scales = st.sampled_from([1e-150, 1e-100, 1e-20, 1e-8, 1.0, 1e8, 1e20, 1e100, 1e150])
specials = st.sampled_from([np.nan, np.inf, -np.inf, 0.0, 1e308, -1e308, 5e-324])


@st.composite
def data_matrices(draw, n_features=None):
    """Float matrices, mostly well formed; sometimes duplicated, shifted, or with a special value."""
    n = draw(st.integers(1, 12))
    d = n_features or draw(st.integers(1, 4))
    scale = draw(scales)
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    X = scale * rng.standard_normal((n, d))
    if draw(st.booleans()):  # duplicates
        X = np.r_[X, np.repeat(X[:1], draw(st.integers(1, 4)), axis=0)]
    if draw(st.booleans()):  # far from the origin
        X = X + draw(scales) * draw(st.sampled_from([1.0, -1.0, 1e5]))
    if draw(st.integers(0, 7)) == 0:  # NaN, inf or an extreme value
        X[draw(st.integers(0, len(X) - 1)), draw(st.integers(0, d - 1))] = draw(specials)
    if draw(st.integers(0, 9)) == 0:  # collinear
        X[:, -1] = X[:, 0]
    return X


@st.composite
def parameters(draw, n_features):
    k = draw(st.integers(1, 4))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    mus = draw(scales) * rng.standard_normal((k, n_features))
    scale = draw(scales)
    a = rng.standard_normal((k, n_features, n_features))
    sigmas = scale * (a @ a.transpose(0, 2, 1) + draw(st.sampled_from([0.0, 1e-12, 1.0]))
                      * np.eye(n_features))
    pis = rng.dirichlet(np.ones(k))
    choice = draw(st.integers(0, 9))
    if choice == 0:
        sigmas[0] = draw(st.sampled_from([0.0, -1.0, np.nan])) * np.eye(n_features)
    elif choice == 1:
        pis = np.full(k, draw(st.sampled_from([0.0, 0.5, np.inf])))
    elif choice == 2 and k > 1:
        pis = np.eye(k)[0]  # weights of exactly 0
    return mus, sigmas, pis


wrong_types = st.sampled_from([None, "abc", [[1.0, 2.0], [3.0]], {"a": 1}, 1j, [["x"]], object()])


def record(name):
    PROPERTY_CASES[name] = PROPERTY_CASES.get(name, 0) + 1


def finite_or_clear_error(call, *, allow_neg_inf_columns=None):
    """Run ``call()``; its results are finite, or it raised a clear error naming an argument."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = call()
    except np.linalg.LinAlgError as exc:  # a ValueError too: check it first
        pytest.fail(f"numpy's LinAlgError escaped: {exc}")
    except (ValueError, TypeError) as exc:
        assert NAMED.search(str(exc)), f"the message names no argument: {exc}"
        return None
    values = result if isinstance(result, tuple) else (result,)
    if hasattr(result, "history"):
        values = (result.mus, result.sigmas, result.pis, result.responsibilities,
                  result.log_likelihoods)
    for value in values:
        value = np.asarray(value, dtype=float)
        if allow_neg_inf_columns is not None and value.ndim == 2:
            value = np.where(np.isneginf(value) & allow_neg_inf_columns, 0.0, value)
        assert np.all(np.isfinite(value)), f"non-finite result {value}"
    return result


# --------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------


@SETTINGS
@given(data=st.data())
def test_densities_and_criteria_are_finite_or_a_clear_error(data):
    record("densities, log_likelihood, e_step, bic, aic")
    X = data.draw(data_matrices())
    mus, sigmas, pis = data.draw(parameters(X.shape[1]))
    for fn in (log_gaussian_pdf, gaussian_pdf, log_likelihood, e_step, bic, aic):
        finite_or_clear_error(lambda: fn(X, mus, sigmas, pis),
                              allow_neg_inf_columns=np.ravel(pis) == 0)


@SETTINGS
@given(data=st.data())
def test_wrong_types_are_a_clear_error(data):
    record("wrong types")
    X = data.draw(data_matrices(n_features=2))
    mus, sigmas, pis = data.draw(parameters(2))
    args = {"X": X, "mus": mus, "sigmas": sigmas, "pis": pis}
    args[data.draw(st.sampled_from(sorted(args)))] = data.draw(wrong_types)
    fn = data.draw(st.sampled_from([log_gaussian_pdf, log_likelihood, e_step, bic]))
    finite_or_clear_error(lambda: fn(**args))


@SETTINGS
@given(data=st.data())
def test_m_step_is_finite_or_a_clear_error(data):
    record("m_step")
    X = data.draw(data_matrices())
    k = data.draw(st.integers(1, 4))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    responsibilities = rng.dirichlet(np.ones(k), size=len(X))
    reg_covar = data.draw(st.sampled_from([0.0, 1e-6, 1.0, -1.0, "x"]))
    finite_or_clear_error(lambda: m_step(X, responsibilities, reg_covar=reg_covar))


@SETTINGS
@given(data=st.data())
def test_initialize_and_fit_are_finite_or_a_clear_error(data):
    record("initialize, fit_gmm")
    X = data.draw(data_matrices())
    k = data.draw(st.one_of(st.integers(1, 4), st.sampled_from([0, 2.5, "2", None])))
    method = data.draw(st.sampled_from(["kmeans++", "kmeans", "random"]))
    reg_covar = data.draw(st.sampled_from([0.0, 1e-6, 1e-300]))
    random_state = data.draw(st.one_of(st.integers(0, 2**31), st.sampled_from(["abc", 1.5, -1])))
    start = finite_or_clear_error(
        lambda: initialize(X, k, method=method, reg_covar=reg_covar, random_state=random_state))
    if start is not None:
        # What initialize returns, e_step accepts.
        finite_or_clear_error(lambda: e_step(X, *start))
    result = finite_or_clear_error(lambda: fit_gmm(X, k, init=method, reg_covar=reg_covar,
                                                   max_iter=30, random_state=random_state))
    if result is not None:
        for params in result.history:
            finite_or_clear_error(lambda: e_step(X, *params))


@SETTINGS
@given(k=st.one_of(st.integers(-3, 50), st.floats(-2, 5), st.text(max_size=2), st.none()),
       d=st.one_of(st.integers(-3, 50), st.floats(-2, 5)))
def test_n_parameters_counts_or_raises(k, d):
    record("n_parameters")
    count = finite_or_clear_error(lambda: n_parameters(k, d))
    if count is not None:
        # Means, covariances' upper triangles and weights, counted by a loop.
        expected = sum(d + sum(range(d + 1)) for _ in range(k)) + k - 1
        assert count == expected
