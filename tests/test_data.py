"""Data helpers: the seed's blobs and the shipped Old Faithful data."""

import numpy as np
import pytest

from gmm_teach import DatasetSize, load_old_faithful, make_ds
from problems import SEED_CENTERS


def test_make_ds_is_called_as_in_the_seed():
    (X, y), start_mus = make_ds(SEED_CENTERS, dataset_size=DatasetSize.LARGE)
    assert X.shape == (105, 2) and y.shape == (105,) and start_mus.shape == (4, 2)
    assert sorted(np.bincount(y)) == [26, 26, 26, 27]
    _, positional = make_ds(SEED_CENTERS, DatasetSize.LARGE)
    np.testing.assert_array_equal(positional, start_mus)


@pytest.mark.parametrize("size", list(DatasetSize))
def test_sizes_and_start_guess_near_the_centres(size):
    (X, y), start_mus = make_ds(SEED_CENTERS, size)
    assert len(X) == len(y) == size.value
    assert np.all(np.abs(start_mus - SEED_CENTERS) <= 1.0)
    assert not np.allclose(start_mus, SEED_CENTERS)


def test_make_ds_is_deterministic_and_seeded():
    first, second = make_ds(SEED_CENTERS), make_ds(SEED_CENTERS)
    np.testing.assert_array_equal(first[0][0], second[0][0])
    other = make_ds(SEED_CENTERS, random_state=7)
    assert not np.allclose(first[0][0], other[0][0])


def test_points_are_drawn_around_their_own_centre():
    centers = np.array([[0.0, 0, 0], [20, 0, 0], [0, 20, 5]])
    (X, y), _ = make_ds(centers, DatasetSize.LARGE, cluster_std=0.5)
    for k, center in enumerate(centers):
        members = X[y == k]
        assert np.abs(members.mean(axis=0) - center).max() < 0.5
        assert members.std(axis=0) == pytest.approx([0.5] * 3, rel=0.35)


@pytest.mark.parametrize(
    "args, kwargs, error, match",
    [
        (([1, 2],), {}, ValueError, r"centers must be 2-D of shape \(n_centers, n_features\)"),
        ((SEED_CENTERS, "LARGE"), {}, TypeError, "dataset_size must be a DatasetSize"),
        ((SEED_CENTERS,), {"cluster_std": 0}, ValueError, "cluster_std must be finite and > 0"),
        ((np.zeros((30, 2)), DatasetSize.SMALL), {}, ValueError, "SMALL has 20 points, fewer than the 30 centers"),
    ],
)
def test_make_ds_rejects_bad_input(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        make_ds(*args, **kwargs)


def test_old_faithful_matches_its_documented_summary():
    X = load_old_faithful()
    assert X.shape == (272, 2)
    # Means quoted by the data's README (R's datasets::faithful).
    assert X[:, 0].mean() == pytest.approx(3.4878, abs=1e-4)
    assert X[:, 1].mean() == pytest.approx(70.8971, abs=1e-4)
    np.testing.assert_array_equal(X[0], [3.6, 79])
