"""gmm_teach.timing: results of the right type, shape and sign, and clear errors.

No assertion here depends on how fast the machine is: only that times are
finite (and positive where they are a single measured duration).
"""

import math

import numpy as np
import pytest
from sklearn.mixture import GaussianMixture
from threadpoolctl import threadpool_info

from gmm_teach import EMResult, GMMParams, fit_gmm, initialize
from gmm_teach import timing
from gmm_teach.loops import fit_loop
from gmm_teach.timing import (
    PROFILE_KERNELS,
    best_of,
    best_time,
    blas_threads,
    fit_gmm_iterations,
    fit_sklearn_iterations,
    make_data,
    make_problem,
    matmul_gflops,
    measure,
    per_iteration,
    profile_iteration,
    run_lengths,
)


def is_positive_float(value):
    return isinstance(value, float) and math.isfinite(value) and value > 0


@pytest.fixture
def small():
    X = make_data(120, 2, 3)
    return X, initialize(X, 3, method="random", random_state=0)


# --------------------------------------------------------------------------
# Data and fit functions
# --------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(1, 1, 1), (50, 3, 4), (200, 10, 2)])
def test_make_data_shape_and_reproducibility(shape):
    X = make_data(*shape, seed=3)
    assert X.shape == shape[:2]
    assert X.dtype == np.float64
    assert np.all(np.isfinite(X))
    np.testing.assert_array_equal(X, make_data(*shape, seed=3))
    if shape[0] > 1:
        assert not np.array_equal(X, make_data(*shape, seed=4))


def test_fit_gmm_iterations_runs_exactly_n_iter(small):
    X, start = small
    result = fit_gmm_iterations(X, start, 4)
    assert isinstance(result, EMResult)
    assert result.n_iter == 4
    reference = fit_gmm(X, init=start, tol=0, max_iter=4)
    np.testing.assert_allclose(result.mus, reference.mus)


def test_fit_sklearn_iterations_runs_exactly_n_iter_from_the_start(small):
    X, start = small
    model = fit_sklearn_iterations(X, start, 4)
    assert isinstance(model, GaussianMixture)
    assert model.n_iter_ == 4
    # From the same start, scikit-learn and fit_gmm compute the same iterations.
    reference = fit_gmm(X, init=start, tol=0, max_iter=4)
    np.testing.assert_allclose(model.means_, reference.mus, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(model.covariances_, reference.sigmas, rtol=1e-6, atol=1e-8)


def test_the_three_fit_functions_share_a_signature(small):
    X, start = small
    for fit in (fit_gmm_iterations, fit_sklearn_iterations, fit_loop):
        fit(X, start, 1)


# --------------------------------------------------------------------------
# Timing
# --------------------------------------------------------------------------


def test_best_of_calls_the_function_repeats_times_and_returns_seconds():
    calls = []
    seconds = best_of(lambda: calls.append(sum(range(1000))), 4)
    assert len(calls) == 4
    assert is_positive_float(seconds)


def test_best_time_passes_its_arguments_to_fit(small):
    X, start = small
    seen = []

    def fit(X_, start_, n_iter):
        seen.append((X_, start_, n_iter))
        sum(range(1000))

    assert is_positive_float(best_time(fit, X, start, 3, 2))
    assert len(seen) == 2
    assert all(X_ is X and start_ is start and n_iter == 3 for X_, start_, n_iter in seen)


def test_per_iteration_times_the_two_run_lengths(small):
    X, start = small
    lengths = []
    seconds = per_iteration(lambda X_, start_, n_iter: lengths.append(n_iter), X, start, 2, 5, 3)
    assert sorted(set(lengths)) == [2, 5]
    assert lengths.count(2) == lengths.count(5) == 3
    # A difference of two times: finite, but its sign is not guaranteed on a busy machine.
    assert isinstance(seconds, float) and math.isfinite(seconds)


@pytest.mark.parametrize("fit", [fit_gmm_iterations, fit_sklearn_iterations, fit_loop])
def test_per_iteration_of_each_fit_function_is_a_finite_float(small, fit):
    X, start = small
    seconds = per_iteration(fit, X, start, 1, 2, 1)
    assert isinstance(seconds, float) and math.isfinite(seconds)


def test_run_lengths():
    short, long = run_lengths(10_000, 2, 4)
    assert isinstance(short, int) and isinstance(long, int) and 1 <= short < long
    assert run_lengths(1_000_000, 2, 4)[1] < long  # fewer iterations for the largest problems


def test_make_problem():
    X, start, short, long = make_problem(300, 3, 4)
    np.testing.assert_array_equal(X, make_data(300, 3, 4))
    assert isinstance(start, GMMParams)
    assert start.mus.shape == (4, 3) and start.sigmas.shape == (4, 3, 3) and start.pis.shape == (4,)
    assert (short, long) == run_lengths(300, 3, 4)


def test_measure_returns_two_finite_floats():
    result = measure(200, 2, 2, repeats=1)
    assert len(result) == 2
    assert all(isinstance(seconds, float) and math.isfinite(seconds) for seconds in result)


@pytest.mark.parametrize("shape", [(500, 2, 4), (300, 6, 3)])
def test_profile_iteration_times_every_kernel(shape):
    X = make_data(*shape)
    times = profile_iteration(X, initialize(X, shape[2], method="random", random_state=0), repeats=2)
    assert list(times) == [*PROFILE_KERNELS, "distances"]
    assert all(is_positive_float(seconds) for seconds in times.values())


def test_profile_kernels_name_kernels_of_em():
    from gmm_teach import em

    for kernel in PROFILE_KERNELS.values():
        assert callable(getattr(em, kernel))


def test_matmul_gflops():
    seconds, gflops = matmul_gflops(size=64, repeats=2)
    assert is_positive_float(seconds) and is_positive_float(gflops)
    assert gflops == pytest.approx(2 * 64**3 / seconds / 1e9)


def blas_thread_counts():
    return [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]


def test_blas_threads_limits_and_restores():
    before = blas_thread_counts()
    with blas_threads(1):
        assert all(n == 1 for n in blas_thread_counts())
    assert blas_thread_counts() == before
    limits = blas_threads(1)
    try:
        assert all(n == 1 for n in blas_thread_counts())
    finally:
        limits.restore_original_limits()
    assert blas_thread_counts() == before


# --------------------------------------------------------------------------
# Bad input: clear errors that name the argument
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "exception", "match"),
    [
        (lambda: make_data(0, 2, 3), ValueError, "n_samples must be an int >= 1"),
        (lambda: make_data(10, 2.0, 3), ValueError, "n_features must be an int >= 1"),
        (lambda: make_data(10, 2, -1), ValueError, "n_components must be an int >= 1"),
        (lambda: make_data(10, 2, 3, seed="zero"), TypeError, "seed must be an int or None"),
        (lambda: best_of("not a function", 3), TypeError, "function must be a function"),
        (lambda: best_of(lambda: None, 0), ValueError, "repeats must be an int >= 1"),
        (lambda: run_lengths(10, 0, 2), ValueError, "n_features must be an int >= 1"),
        (lambda: measure(10, 2, 2, repeats=0), ValueError, "repeats must be an int >= 1"),
        (lambda: measure(3, 2, 5, repeats=1), ValueError, "n_components must be between 1 and n_samples"),
        (lambda: matmul_gflops(size=0), ValueError, "size must be an int >= 1"),
        (lambda: matmul_gflops(size=8, repeats=-2), ValueError, "repeats must be an int >= 1"),
        (lambda: blas_threads(0), ValueError, "n_threads must be an int >= 1"),
        (lambda: blas_threads("one"), ValueError, "n_threads must be an int >= 1"),
    ],
)
def test_bad_arguments(call, exception, match):
    with pytest.raises(exception, match=match):
        call()


@pytest.mark.parametrize(
    ("call", "exception", "match"),
    [
        (lambda X, start: best_time(None, X, start, 1, 1), TypeError, "fit must be a function"),
        (lambda X, start: best_time(fit_loop, X, start, 0, 1), ValueError, "n_iter must be an int >= 1"),
        (lambda X, start: per_iteration(fit_loop, X, start, 3, 3, 1), ValueError, "long must be larger than short"),
        (lambda X, start: per_iteration(fit_loop, X, start, 0, 3, 1), ValueError, "short must be an int >= 1"),
        (lambda X, start: per_iteration(fit_loop, X, start, 1, 3, 0), ValueError, "repeats must be an int >= 1"),
        (lambda X, start: per_iteration(42, X, start, 1, 3, 1), TypeError, "fit must be a function"),
        (lambda X, start: fit_sklearn_iterations(X.T, start, 1), ValueError, "mus must have shape"),
        (lambda X, start: fit_sklearn_iterations(X, start[:2], 1), TypeError, r"start must be a tuple \(mus, sigmas, pis\)"),
        (lambda X, start: fit_sklearn_iterations(X, start, 0), ValueError, "n_iter must be an int >= 1"),
        (lambda X, start: profile_iteration(X[:, 0], start), ValueError, "X must be 2-D"),
        (lambda X, start: profile_iteration(X, (start.mus, start.sigmas, 2 * start.pis)), ValueError, "pis must sum to 1"),
        (lambda X, start: profile_iteration(X, start, reg_covar=-1.0), ValueError, "reg_covar must be finite and >= 0"),
        (lambda X, start: profile_iteration(X, start, repeats=0), ValueError, "repeats must be an int >= 1"),
    ],
)
def test_bad_input_with_data(small, call, exception, match):
    with pytest.raises(exception, match=match):
        call(*small)


def test_all_is_public_and_documented():
    for name in timing.__all__:
        obj = getattr(timing, name)
        assert not name.startswith("_")
        if callable(obj):
            assert "Returns" in obj.__doc__, name


def test_a_covariance_that_is_not_positive_definite_is_named(small):
    X, start = small
    sigmas = start.sigmas.copy()
    sigmas[1] = -sigmas[1]
    for call in (
        lambda: profile_iteration(X, (start.mus, sigmas, start.pis)),
        lambda: fit_sklearn_iterations(X, (start.mus, sigmas, start.pis), 1),
    ):
        with pytest.raises(ValueError, match=r"sigmas\[1\] must be positive definite") as info:
            call()
        assert not isinstance(info.value, np.linalg.LinAlgError)
