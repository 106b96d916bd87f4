"""Data sets: the lessons' four blobs, the Old Faithful geyser data and binarised digits."""

import enum
import numbers
from importlib import resources

import numpy as np
from sklearn.datasets import load_digits

from . import _validation as v

__all__ = ["DatasetSize", "make_ds", "load_old_faithful", "load_binary_digits"]


class DatasetSize(enum.Enum):
    """How many points :func:`make_ds` draws; the value is the number of samples."""

    SMALL = 20
    MEDIUM = 50
    LARGE = 105


def make_ds(centers, dataset_size=DatasetSize.LARGE, *, random_state=123, cluster_std=1.0):
    """Gaussian blobs around known centres, and a rough guess of where they are.

    The problem set-up of the lessons: "we know there are roughly 4
    clusters and we know more-or-less where they start".

    Parameters
    ----------
    centers : array-like of shape (n_centers, n_features)
        The true centres of the blobs.
    dataset_size : DatasetSize, default=DatasetSize.LARGE
        SMALL (20), MEDIUM (50) or LARGE (105 points, as in the seed). The
        points are shared out as evenly as possible between the centres.
    random_state : int >= 0 or numpy.random.Generator, default=123
        The same value gives the same data and the same guess.
    cluster_std : float, default=1.0
        Standard deviation of every blob along each axis.

    Returns
    -------
    (X, y) : tuple of ndarray of shapes (n_samples, n_features) and (n_samples,)
        The points, shuffled, and the index of the centre each came from.
    start_mus : ndarray of shape (n_centers, n_features)
        Each centre moved by up to 1 along each axis: a starting guess for EM.

    Examples
    --------
    >>> (X, y), start_mus = make_ds([[1, -1], [5, 5], [8, 7], [10, 0]])
    >>> X.shape, y.shape, start_mus.shape
    ((105, 2), (105,), (4, 2))
    """
    centers = v.as_float_array(centers, "centers", 2, "(n_centers, n_features)")
    if not isinstance(dataset_size, DatasetSize):
        raise TypeError(
            f"dataset_size must be a DatasetSize (SMALL, MEDIUM or LARGE), got {dataset_size!r}"
        )
    cluster_std = v.check_positive(cluster_std, "cluster_std", allow_zero=False)
    rng = v.check_random_state(random_state)
    n_centers, n_features = centers.shape
    if dataset_size.value < n_centers:
        raise ValueError(
            f"dataset_size {dataset_size.name} has {dataset_size.value} points, fewer than "
            f"the {n_centers} centers"
        )
    counts = np.full(n_centers, dataset_size.value // n_centers)
    counts[: dataset_size.value % n_centers] += 1
    y = np.repeat(np.arange(n_centers), counts)
    rng.shuffle(y)
    X = centers[y] + cluster_std * rng.standard_normal((len(y), n_features))
    start_mus = centers + rng.uniform(-1.0, 1.0, size=centers.shape)
    return (X, y), start_mus


def load_old_faithful():
    """The Old Faithful geyser data: 272 eruptions in Yellowstone National Park.

    R's ``datasets::faithful`` (Härdle, 1991, after Azzalini and Bowman, 1990,
    "A look at some data on the Old Faithful geyser", Applied Statistics 39),
    the two-cluster example of Bishop's *Pattern Recognition and Machine
    Learning*, chapter 9. Shipped inside the package: no download.

    Returns
    -------
    X : ndarray of shape (272, 2)
        Column 0: eruption length (minutes); column 1: waiting time to the next
        eruption (minutes).
    """
    source = resources.files("gmm_teach") / "datasets" / "old_faithful.csv"
    with source.open("r", encoding="utf-8") as f:
        return np.loadtxt(f, delimiter=",", skiprows=1)


def load_binary_digits(*, threshold=8):
    """scikit-learn's handwritten digits, each pixel made 0 or 1.

    The 1,797 images of ``sklearn.datasets.load_digits`` (8 x 8 pixels, grey
    levels 0 to 16; shipped with scikit-learn, no download): a pixel becomes 1
    when its grey level is at least ``threshold``.

    Parameters
    ----------
    threshold : int, default=8
        The grey level, 1 to 16, from which a pixel counts as ink.

    Returns
    -------
    X : ndarray of shape (1797, 64)
        0.0 or 1.0; ``X[i].reshape(8, 8)`` is image ``i``.
    y : ndarray of shape (1797,)
        The digit, 0 to 9, each image shows.
    """
    if isinstance(threshold, bool) or not isinstance(threshold, numbers.Integral):
        raise TypeError(f"threshold must be an int from 1 to 16, got {threshold!r}")
    if not 1 <= threshold <= 16:
        raise ValueError(f"threshold must be from 1 to 16 (grey levels run 0 to 16), got {threshold}")
    digits = load_digits()
    return (digits.data >= threshold).astype(np.float64), digits.target.astype(np.intp)
