"""Property-based tests of the mixture of Bernoullis and semi-supervised EM (issue 12).

Arbitrary shapes (n 1..30, D 1..200, K 1..5), binary data with duplicates and
constant rows and columns, non-binary data, NaN and inf, probabilities of
exactly 0 and 1, weights of 0, wrong types, edge floors, labels of odd
dtypes, shapes and values: every call returns finite results (``-inf`` only
in :func:`log_bernoulli_pdf`, and only where the point is impossible under
that component) or raises a ValueError or TypeError whose message names an
argument. Fits never lower the log-likelihood, their responsibilities sum to
one and their ``mus`` stay inside the floor. As in tests/test_properties.py,
the number of examples is fixed and the run derandomised; conftest.py prints
how many were tried. The tests after the properties pin the defects these
searches (and a search by hand) found.
"""

import re
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import PROPERTY_CASES
from gmm_teach import (
    bernoulli_e_step,
    bernoulli_log_likelihood,
    bernoulli_m_step,
    e_step_with_labels,
    fit_bernoulli_mixture,
    fit_gmm,
    fit_gmm_semi_supervised,
    initialize,
    log_bernoulli_pdf,
    make_ds,
)
from problems import SEED_CENTERS


def examples(n):
    return settings(
        max_examples=n,
        derandomize=True,
        deadline=None,
        database=None,  # no .hypothesis folder in the work tree: the cases are fixed anyway
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


ARGUMENTS = ("X", "mus", "pis", "sigmas", "responsibilities", "n_components", "min_prob",
             "random_state", "init", "tol", "max_iter", "labels", "reg_covar")
NAMED = re.compile(r"\b(" + "|".join(ARGUMENTS) + r")\b")

# --------------------------------------------------------------------------
# Strategies
# --------------------------------------------------------------------------

wrong_types = st.sampled_from([None, "abc", [[1.0, 0.0], [1.0]], {"a": 1}, 1j, [["x"]],
                               object(), np.ones((2, 2), complex)])
specials = st.sampled_from([np.nan, np.inf, -np.inf, 0.5, 2.0, -1.0, 1e308])
floors = st.sampled_from([0.0, -0.0, 5e-324, 1e-300, 1e-3, 0.25, 0.4999999999, np.float32(0.01)])
bad_floors = st.sampled_from([0.5, 1.0, -1e-300, np.nan, np.inf, "1e-3", None, True, 1j])


@st.composite
def binary_matrices(draw, n_features=None):
    """Binary matrices, mostly well formed; sometimes constant rows or columns, or bad entries."""
    n = draw(st.integers(1, 30))
    d = n_features or draw(st.integers(1, 200))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    X = (rng.uniform(size=(n, d)) < rng.uniform(size=d)).astype(float)
    if draw(st.booleans()):  # duplicates
        X = np.r_[X, np.repeat(X[:1], draw(st.integers(1, 4)), axis=0)]
    for value in (0.0, 1.0):
        if draw(st.integers(0, 3)) == 0:
            X[:, draw(st.integers(0, d - 1))] = value  # a constant column
        if draw(st.integers(0, 3)) == 0:
            X[draw(st.integers(0, len(X) - 1))] = value  # a constant row
    if draw(st.integers(0, 9)) == 0:
        X[:] = draw(st.sampled_from([0.0, 1.0]))  # everything the same
    if draw(st.integers(0, 7)) == 0:  # not binary, NaN or inf
        X[draw(st.integers(0, len(X) - 1)), draw(st.integers(0, d - 1))] = draw(specials)
    form = draw(st.integers(0, 9))
    if form == 0:
        return X.astype(bool) if np.all((X == 0) | (X == 1)) else X
    if form == 1:
        return X.tolist()
    return X


@st.composite
def bernoulli_parameters(draw, n_features):
    """``mus`` and ``pis``, mostly valid; sometimes with exact 0 and 1, or broken."""
    k = draw(st.integers(1, 5))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    mus = rng.uniform(size=(k, n_features))
    pis = rng.dirichlet(np.ones(k))
    choice = draw(st.integers(0, 11))
    if choice == 0:  # certain features: probabilities of exactly 0 and 1
        mus[rng.uniform(size=mus.shape) < 0.3] = 0.0
        mus[rng.uniform(size=mus.shape) < 0.3] = 1.0
    elif choice == 1:  # only 0 and 1
        mus = np.round(mus)
    elif choice == 2 and k > 1:
        pis = np.eye(k)[0]  # weights of exactly 0
    elif choice == 3:
        mus[0, 0] = draw(st.sampled_from([np.nan, -0.1, 1.1, np.inf, 5e-324, 1 - 2**-53]))
    elif choice == 4:
        pis = pis * draw(st.sampled_from([0.0, 2.0, np.nan, -1.0]))
    elif choice == 5:
        pis = pis[:, None]  # a column: accepted
    elif choice == 6:
        mus = mus.T  # transposed
    elif choice == 7:
        pis = pis[:-1] if k > 1 else np.r_[pis, 0.0]
    return mus, pis


def random_responsibilities(draw, n_samples):
    k = draw(st.integers(1, 5))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    choice = draw(st.integers(0, 5))
    if choice == 0:  # hard assignments, maybe leaving components empty
        return np.eye(k)[rng.integers(k, size=n_samples)]
    if choice == 1 and k > 1:  # one component with nothing at all
        responsibilities = rng.dirichlet(np.ones(k - 1), size=n_samples)
        return np.c_[responsibilities, np.zeros(n_samples)]
    return rng.dirichlet(np.ones(k), size=n_samples)


random_states = st.one_of(
    st.integers(0, 2**31),
    st.sampled_from(["abc", 1.5, -1, True, np.int64(3)]),
    st.integers(0, 100).map(np.random.default_rng),
    st.just(np.random.RandomState(0)),
)


def record(name):
    PROPERTY_CASES[name] = PROPERTY_CASES.get(name, 0) + 1


def clear_error_or_result(call):
    """Run ``call()``: its result, or None when it raised a clear error naming an argument."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return call()
    except np.linalg.LinAlgError as exc:  # a ValueError too: check it first
        pytest.fail(f"numpy's LinAlgError escaped: {exc}")
    except (ValueError, TypeError) as exc:
        assert NAMED.search(str(exc)), f"the message names no argument: {exc}"
        return None


def assert_finite(*values):
    for value in values:
        value = np.asarray(value, dtype=float)
        assert np.all(np.isfinite(value)), f"non-finite result {value}"


def assert_rows_sum_to_one(responsibilities):
    assert np.all(responsibilities >= 0)
    np.testing.assert_allclose(responsibilities.sum(axis=1), 1.0, rtol=1e-12)


def impossible(X, mus, pis):
    """Where ``log_bernoulli_pdf`` may be -inf, written from the definition: (n_samples, K)."""
    X, mus = np.asarray(X, float), np.asarray(mus, float)
    contradicts = ((X[:, None, :] == 1) & (mus[None] == 0)) | ((X[:, None, :] == 0)
                                                               & (mus[None] == 1))
    return contradicts.any(axis=2) | (np.ravel(np.asarray(pis, float)) == 0)[None, :]


# --------------------------------------------------------------------------
# Properties: the Bernoulli functions
# --------------------------------------------------------------------------


@examples(300)
@given(data=st.data())
def test_bernoulli_densities_are_finite_or_a_clear_error(data):
    record("log_bernoulli_pdf, bernoulli_log_likelihood, bernoulli_e_step")
    X = data.draw(binary_matrices())
    d = np.shape(X)[1]
    mus, pis = data.draw(bernoulli_parameters(d))
    log_prob = clear_error_or_result(lambda: log_bernoulli_pdf(X, mus, pis))
    if log_prob is not None:
        assert not np.any(np.isnan(log_prob) | np.isposinf(log_prob))
        np.testing.assert_array_equal(np.isneginf(log_prob), impossible(X, mus, pis))
    total = clear_error_or_result(lambda: bernoulli_log_likelihood(X, mus, pis))
    responsibilities = clear_error_or_result(lambda: bernoulli_e_step(X, mus, pis))
    assert (total is None) == (responsibilities is None)
    if total is not None:
        assert_finite(total, responsibilities)
        assert total <= 1e-12 * len(X)  # a probability, up to rounding in sum(pis)
        assert_rows_sum_to_one(responsibilities)


@examples(200)
@given(data=st.data())
def test_wrong_types_are_a_clear_error(data):
    record("bernoulli wrong types")
    X = data.draw(binary_matrices(n_features=2))
    mus, pis = np.full((2, 2), 0.5), np.array([0.5, 0.5])
    args = {"X": X, "mus": mus, "pis": pis}
    name = data.draw(st.sampled_from(sorted(args)))
    args[name] = data.draw(wrong_types)
    for fn in (log_bernoulli_pdf, bernoulli_log_likelihood, bernoulli_e_step):
        assert clear_error_or_result(lambda: fn(**args)) is None
    responsibilities = data.draw(st.one_of(wrong_types, st.just(np.full((len(X), 2), 0.5))))
    min_prob = data.draw(st.one_of(floors, bad_floors))
    result = clear_error_or_result(
        lambda: bernoulli_m_step(args["X"], responsibilities, min_prob=min_prob))
    if result is not None:
        assert_finite(*result)


@examples(250)
@given(data=st.data())
def test_m_step_is_finite_and_inside_the_floor_or_a_clear_error(data):
    record("bernoulli_m_step")
    X = data.draw(binary_matrices())
    responsibilities = random_responsibilities(data.draw, len(X))
    min_prob = data.draw(st.one_of(floors, floors, bad_floors))
    result = clear_error_or_result(
        lambda: bernoulli_m_step(X, responsibilities, min_prob=min_prob))
    if result is not None:
        mus, pis = result
        assert_finite(mus, pis)
        assert mus.shape == (responsibilities.shape[1], np.shape(X)[1])
        assert np.all((mus >= min_prob) & (mus <= 1 - min_prob))
        assert np.all(pis > 0) and pis.sum() == pytest.approx(1.0, abs=1e-12)


def assert_good_fit(X, result, min_prob):
    """Finite, never going down, rows summing to one, ``mus`` inside the floor."""
    assert_finite(result.mus, result.pis, result.responsibilities, result.log_likelihoods)
    lls = result.log_likelihoods
    steps = np.diff(lls)
    # Relative to the log-likelihood, and to rounding when it is near 0 (data
    # that the model reproduces exactly, where sum(pis) = 1 is exact only to
    # a few eps).
    slack = 1e-9 * np.maximum(np.abs(lls[1:]), 1e-3 * len(X))
    assert np.all(steps >= -slack), (steps.min(), lls)
    assert_rows_sum_to_one(result.responsibilities)
    for params in result.history:
        assert np.all((params.mus >= min_prob) & (params.mus <= 1 - min_prob))
        assert params.pis.sum() == pytest.approx(1.0, abs=1e-12)
    final = result.history[-1]
    assert lls[-1] == pytest.approx(bernoulli_log_likelihood(X, final.mus, final.pis),
                                    rel=1e-12, abs=1e-12)
    assert len(result.history) == len(lls) == result.n_iter + 1


@examples(300)
@given(data=st.data())
def test_fit_is_monotone_and_finite_or_a_clear_error(data):
    record("fit_bernoulli_mixture")
    X = data.draw(binary_matrices())
    n, d = np.shape(X)
    min_prob = data.draw(st.one_of(floors, floors, floors, bad_floors))
    kind = data.draw(st.integers(0, 5))
    if kind <= 2:  # random start; K from tiny to n, sometimes wrong
        k = data.draw(st.one_of(st.integers(1, min(5, n)), st.just(n),
                                st.sampled_from([0, n + 1, 2.0, "2", None, True])))
        init = "random"
    else:  # a start of our own, sometimes with weights of 0 or the wrong shape
        mus, pis = data.draw(bernoulli_parameters(d))
        if kind == 3 and isinstance(min_prob, float) and 0 <= min_prob < 0.5:
            mus = np.clip(mus, min_prob, 1 - min_prob)  # a start EM may go on from
        init = data.draw(st.sampled_from([(mus, pis), [mus, pis], (mus,), (mus, pis, pis),
                                          (mus, pis), "kmeans", np.asarray(mus)]))
        k = data.draw(st.sampled_from([None, None, np.shape(mus)[0], 2]))
    result = clear_error_or_result(lambda: fit_bernoulli_mixture(
        X, k, init=init, min_prob=min_prob, tol=data.draw(st.sampled_from([0.0, 1e-4, -1.0])),
        max_iter=data.draw(st.sampled_from([1, 5, 30])),
        random_state=data.draw(random_states)))
    if result is not None:
        assert_good_fit(np.asarray(X, float), result, float(min_prob))


@examples(150)
@given(data=st.data())
def test_fits_from_a_start_in_a_corner_never_go_down(data):
    """Starts at the floor's corners and with weights near 0: the hardest for monotonicity."""
    record("fit_bernoulli_mixture from corners")
    X = np.asarray(data.draw(binary_matrices()), dtype=float)
    if not np.all((X == 0) | (X == 1)):
        return
    d = X.shape[1]
    k = data.draw(st.integers(1, min(5, len(X))))
    min_prob = data.draw(st.sampled_from([0.0, 1e-12, 1e-3, 0.1]))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    mus = rng.choice([min_prob, 1 - min_prob, 0.5], size=(k, d))
    pis = rng.dirichlet(np.full(k, data.draw(st.sampled_from([0.01, 1.0]))))
    if data.draw(st.booleans()):
        pis = pis + 4e-6 / k  # sums to 1 within the accepted 1e-5, not exactly
    result = clear_error_or_result(lambda: fit_bernoulli_mixture(
        X, init=(mus, pis), min_prob=min_prob, tol=0, max_iter=10))
    if result is not None:
        assert_good_fit(X, result, min_prob)
    else:
        # Only a start of exact 0s and 1s may make a point impossible.
        assert min_prob == 0


# --------------------------------------------------------------------------
# Properties: semi-supervised EM
# --------------------------------------------------------------------------


@st.composite
def gaussian_problems(draw):
    n = draw(st.integers(1, 30))
    d = draw(st.integers(1, 3))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    centres = 4 * rng.standard_normal((3, d))
    X = centres[rng.integers(3, size=n)] + rng.standard_normal((n, d))
    if draw(st.booleans()):
        X = np.r_[X, np.repeat(X[:1], draw(st.integers(1, 4)), axis=0)]
    return X, rng


@st.composite
def label_arrays(draw, n_samples, n_components):
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    fraction = draw(st.sampled_from([0.0, 0.1, 0.5, 1.0]))
    labels = np.where(rng.uniform(size=n_samples) < fraction,
                      rng.integers(max(n_components, 1), size=n_samples), -1)
    choice = draw(st.integers(0, 14))
    if choice == 0:
        labels = labels.astype(draw(st.sampled_from([np.float16, np.float64, np.int8, np.int64])))
    elif choice == 1:
        labels = labels.tolist()
    elif choice == 2:
        labels = labels[:-1]
    elif choice == 3:
        labels = labels[:, None]
    elif choice == 4:
        labels = np.full(n_samples, draw(st.sampled_from(
            [-2, n_components, 0.5, np.nan, np.inf, 1e20, -1e20, 2**62])))
    elif choice == 5:
        labels = labels.astype(draw(st.sampled_from([bool, complex, str, object])))
    elif choice == 6:
        labels = draw(st.sampled_from([None, "0", 0, [[0], [0, 1]], {"a": 1}]))
    elif choice == 7:
        labels = np.full(n_samples, 2**63 + 5, dtype=np.uint64)
    elif choice == 8:
        labels = np.zeros(n_samples, dtype=np.uint8)  # every point in class 0
    return labels


def assert_clamped(responsibilities, labels):
    labels = np.asarray(labels).astype(int)
    rows = np.flatnonzero(labels >= 0)
    np.testing.assert_array_equal(responsibilities[rows, labels[rows]], 1.0)


@examples(200)
@given(data=st.data())
def test_e_step_with_labels_is_finite_and_clamped_or_a_clear_error(data):
    record("e_step_with_labels")
    X, rng = data.draw(gaussian_problems())
    k = data.draw(st.integers(1, 5))
    d = X.shape[1]
    mus = 4 * rng.standard_normal((k, d))
    a = rng.standard_normal((k, d, d))
    sigmas = a @ a.transpose(0, 2, 1) + np.eye(d)
    pis = rng.dirichlet(np.ones(k))
    if data.draw(st.integers(0, 5)) == 0 and k > 1:
        pis = np.eye(k)[0]
    labels = data.draw(label_arrays(len(X), k))
    responsibilities = clear_error_or_result(
        lambda: e_step_with_labels(X, mus, sigmas, pis, labels))
    if responsibilities is not None:
        assert_finite(responsibilities)
        assert_rows_sum_to_one(responsibilities)
        assert_clamped(responsibilities, labels)


@examples(150)
@given(data=st.data())
def test_semi_supervised_fit_is_finite_and_clamped_or_a_clear_error(data):
    record("fit_gmm_semi_supervised")
    X, rng = data.draw(gaussian_problems())
    n, d = X.shape
    k = data.draw(st.one_of(st.integers(1, min(5, n)), st.sampled_from([None, 0, "2"])))
    kk = k if isinstance(k, int) and k > 0 else 2
    labels = data.draw(label_arrays(n, kk))
    init = data.draw(st.sampled_from(["kmeans++", "kmeans", "random", "tuple"]))
    if init == "tuple":
        mus = X[rng.integers(n, size=kk)]
        sigmas = np.repeat(np.eye(d)[None], kk, axis=0)
        pis = data.draw(st.sampled_from([np.full(kk, 1 / kk), np.eye(kk)[0]]))
        init = (mus, sigmas, pis)
    result = clear_error_or_result(lambda: fit_gmm_semi_supervised(
        X, labels, k, init=init, max_iter=20,
        reg_covar=data.draw(st.sampled_from([0.0, 1e-6, 1e-2])),
        random_state=data.draw(st.one_of(st.integers(0, 2**31), st.sampled_from(["abc", -1])))))
    if result is not None:
        assert_finite(result.mus, result.sigmas, result.pis, result.responsibilities,
                      result.log_likelihoods)
        assert_rows_sum_to_one(result.responsibilities)
        assert_clamped(result.responsibilities, labels)


# --------------------------------------------------------------------------
# Defects found, pinned; and the cases tried by hand
# --------------------------------------------------------------------------


def test_a_point_impossible_because_of_a_zero_weight_says_so():
    # Component 0 contradicts X[0]; component 1 would not, but its weight is 0.
    # The message used to blame the mus alone ("where every mus[k, d] is 0").
    with pytest.raises(ValueError, match=r"X\[0\] has probability 0 under every component "
                                         r"\(X\[0, 0\] = 1 where mus\[0, 0\] = 0; pis\[1\] = 0\)"):
        bernoulli_e_step([[1.0, 0.0]], [[0.0, 0.5], [0.5, 0.5]], [1.0, 0.0])


def test_an_impossible_point_in_a_fit_names_the_iteration_and_the_reason():
    X = np.array([[1.0, 0.0], [0.0, 0.0]])
    with pytest.raises(ValueError, match=r"X\[0\] has probability 0 under every component at "
                                         r"iteration 0 \(X\[0, 0\] = 1 where mus\[0, 0\] = 0\)"):
        fit_bernoulli_mixture(X, init=([[0.0, 0.5]], [1.0]), min_prob=0)


def test_start_weights_that_sum_to_1_only_within_tolerance_do_not_make_em_go_down():
    # pis summing to 1 + 4e-6 are accepted; unnormalised, the start's
    # log-likelihood was N * log(1 + 4e-6) above the maximum, and EM's first
    # step went down by that much. The start is now divided by its sum.
    X = np.zeros((4, 1))
    result = fit_bernoulli_mixture(X, init=([[0.01]], [1 + 4e-6]), min_prob=0.01, tol=0,
                                   max_iter=3)
    assert result.history[0].pis.sum() == 1.0
    assert np.all(np.diff(result.log_likelihoods) >= -1e-12)


def test_n_components_with_a_start_of_our_own_is_validated():
    X = np.eye(3)
    start = (np.full((1, 3), 0.5), [1.0])
    with pytest.raises(TypeError, match=r"n_components must be an int, got True"):
        fit_bernoulli_mixture(X, True, init=start)
    with pytest.raises(ValueError, match=r"n_components must be between 1 and n_samples = 3"):
        fit_bernoulli_mixture(X, 0, init=start)
    assert fit_bernoulli_mixture(X, np.int64(1), init=start).n_iter >= 1


@pytest.mark.parametrize("labels, shown", [
    (np.full(10, 1e20), r"1e\+20"),
    (np.full(10, -1e20), r"-1e\+20"),
    (np.full(10, 2**63 + 5, dtype=np.uint64), "9223372036854775813"),
])
def test_labels_beyond_intp_are_reported_as_given_not_wrapped(labels, shown):
    # They used to be cast to intp first (with a RuntimeWarning) and reported
    # as -9223372036854775808 or another wrapped value.
    rng = np.random.default_rng(0)
    X = rng.standard_normal((10, 2))
    start = (X[:2], np.repeat(np.eye(2)[None], 2, axis=0), [0.5, 0.5])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=r"labels must be -1 or a component index.*, got "
                                             + shown + "$"):
            fit_gmm_semi_supervised(X, labels, 2, random_state=0)
        with pytest.raises(ValueError, match=r"labels must be -1 or a component index 0 to 1, "
                                             r"got " + shown + "$"):
            e_step_with_labels(X, *start, labels)


def labelled_blobs(n_per_class=20, n_classes=3, seed=0):
    rng = np.random.default_rng(seed)
    centres = 6 * rng.standard_normal((n_classes, 2))
    y = np.repeat(np.arange(n_classes), n_per_class)
    return centres[y] + rng.standard_normal((len(y), 2)), y


@pytest.mark.parametrize("reg_covar", [0.0, 1e-6])
def test_every_point_labelled_and_a_component_no_label_names_is_a_clear_error(reg_covar):
    # Component 3 has no point at all: it used to come back with weight 2e-17,
    # its mean at the middle of the data and covariance reg_covar * I (or, with
    # reg_covar = 0, as a "collapsed" component at iteration 1).
    X, y = labelled_blobs()
    with pytest.raises(ValueError, match=r"labels: every point is labelled, but no point has "
                                         r"label 3, so component 3 has no data"):
        fit_gmm_semi_supervised(X, y, 4, reg_covar=reg_covar, random_state=0)
    # One unlabelled point is enough: component 3 is then a free component.
    y = y.copy()
    y[0] = -1
    result = fit_gmm_semi_supervised(X, y, 4, random_state=0)
    assert_finite(result.mus, result.sigmas, result.pis, result.log_likelihoods)


def test_a_labelled_point_at_a_start_weight_of_0_is_a_clear_error():
    # It used to be reported as "sample i is so far from every component ...
    # the components' covariances have shrunk to almost nothing".
    X, y = labelled_blobs()
    labels = np.full(len(y), -1)
    labels[[0, 20, 40]] = [0, 1, 2]
    mus = np.array([X[y == c].mean(axis=0) for c in range(3)])
    sigmas = np.repeat(np.eye(2)[None], 3, axis=0)
    with pytest.raises(ValueError, match=r"init: pis\[1\] = 0, but labels\[20\] = 1"):
        fit_gmm_semi_supervised(X, labels, init=(mus, sigmas, [0.5, 0.0, 0.5]))
    # Unlabelled points may sit anywhere: a weight of 0 is then only a start.
    labels[20] = -1
    result = fit_gmm_semi_supervised(X, labels, init=(mus, sigmas, [0.5, 0.0, 0.5]))
    assert_finite(result.mus, result.sigmas, result.pis, result.log_likelihoods)


def test_twenty_thousand_features_do_not_underflow():
    rng = np.random.default_rng(0)
    prototypes = rng.uniform(0.05, 0.95, size=(3, 20_000))
    X = (rng.uniform(size=(40, 20_000)) < prototypes[np.arange(40) % 3]).astype(float)
    result = fit_bernoulli_mixture(X, 3, random_state=0, tol=0, max_iter=5)
    assert_good_fit(X, result, 1e-3)
    # Log-probabilities near -14,000, yet every point goes to its own prototype's
    # component (the components in some order).
    truth = np.arange(40) % 3
    assert len(set(zip(truth, result.labels))) == 3 and len(set(result.labels)) == 3
    assert np.all(np.isfinite(log_bernoulli_pdf(X, result.mus, result.pis)))


@pytest.mark.parametrize("min_prob", [0.0, 1e-3])
def test_as_many_components_as_points_and_a_component_that_loses_every_point(min_prob):
    rng = np.random.default_rng(1)
    X = (rng.uniform(size=(6, 5)) < 0.5).astype(float)
    assert_good_fit(X, fit_bernoulli_mixture(X, 6, random_state=0, min_prob=min_prob), min_prob)
    # Component 2 starts with weight 0.1 between two tight groups and loses both.
    X = np.r_[np.zeros((20, 50)), np.ones((20, 50))]
    start = (np.array([[0.01] * 50, [0.99] * 50, [0.5] * 50]), np.array([0.45, 0.45, 0.1]))
    result = fit_bernoulli_mixture(X, init=start, tol=0, max_iter=20, min_prob=min_prob)
    assert_good_fit(X, result, min_prob)
    assert 0 < result.pis[2] < 1e-14
    np.testing.assert_array_equal(result.mus[2], min_prob)


def test_semi_supervised_by_hand_one_class_list_labels_every_init_and_verbose(capsys):
    X, y = labelled_blobs(n_per_class=25, n_classes=3, seed=3)
    labels = np.full(len(y), -1)
    labels[:3] = 0  # labels for one class only
    for init in ("kmeans++", "kmeans", "random"):
        result = fit_gmm_semi_supervised(X, labels.tolist(), 3, init=init, random_state=0,
                                         verbose=True)
        assert_finite(result.mus, result.sigmas, result.pis, result.log_likelihoods)
        assert_clamped(result.responsibilities, labels)
    assert "Converged to within 0.0001 after" in capsys.readouterr().out


def two_labels_per_class(y, seed):
    rng = np.random.default_rng(seed)
    labels = np.full(len(y), -1)
    for c in range(y.max() + 1):
        labels[rng.choice(np.flatnonzero(y == c), 2, replace=False)] = c
    return labels


@pytest.mark.parametrize("init", ["kmeans++", "kmeans", "random"])
def test_a_method_start_is_reordered_to_match_the_labelled_classes(init):
    # The start used to ignore the labels: component k could start on another
    # class's blob. With two labels per class, 29 % of the points ended in the
    # wrong component on average over these 20 seeds (90 % on seed 10).
    (X, y), _ = make_ds(SEED_CENTERS)
    accuracy = []
    for seed in range(20):
        labels = two_labels_per_class(y, seed)
        result = fit_gmm_semi_supervised(X, labels, 4, init=init, random_state=seed)
        accuracy.append(np.mean(result.labels == y))
        # The start is fit_gmm's, reordered: the same means, component k
        # nearest the points labelled k.
        start = initialize(X, 4, method=init, random_state=seed)
        order = [np.flatnonzero((start.mus == m).all(axis=1))[0] for m in result.history[0].mus]
        assert sorted(order) == [0, 1, 2, 3]
        np.testing.assert_array_equal(result.history[0].sigmas, start.sigmas[order])
    assert np.mean(accuracy) > 0.9 and min(accuracy) > 0.75, accuracy


def test_the_reordered_start_leaves_bad_arguments_to_fit_gmm_and_unlabelled_classes_in_order():
    (X, y), _ = make_ds(SEED_CENTERS)
    labels = two_labels_per_class(y, 0)
    for kwargs, error, match in [
        (dict(tol=-1), ValueError, r"tol must be finite and >= 0"),
        (dict(max_iter=0), ValueError, r"max_iter must be an int >= 1"),
        (dict(random_state="abc"), TypeError, r"random_state must be None"),
        (dict(n_components=None), ValueError, r"n_components is required when init is a method"),
        (dict(init="kmeans+"), ValueError, r"init must be one of"),
    ]:
        kwargs = {"n_components": 4, **kwargs}
        for fit, args in ((fit_gmm, (X,)), (fit_gmm_semi_supervised, (X, labels))):
            with pytest.raises(error, match=match):
                fit(*args, **kwargs)
    # Labels for class 2 only: it gets the start component nearest its
    # points, the others keep their order.
    only = np.where(labels == 2, 2, -1)
    start = initialize(X, 4, random_state=0)
    nearest = np.argmin(((start.mus - X[only == 2].mean(axis=0)) ** 2).sum(axis=1))
    rest = [k for k in range(4) if k != nearest]
    result = fit_gmm_semi_supervised(X, only, 4, random_state=0, max_iter=1, tol=0)
    np.testing.assert_array_equal(result.history[0].mus, start.mus[[*rest[:2], nearest, rest[2]]])
