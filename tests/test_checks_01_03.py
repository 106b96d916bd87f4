"""Tests of the second exercises of lessons 01 and 03: right answers pass, each typical mistake is named.

The right answers are written here independently of the checks' oracles:
scipy's rotation matrices for the covariance of an ellipse, scipy.special.entr
for the entropy of the responsibilities.
"""

import numpy as np
import pytest
import scipy.stats
from scipy.spatial.transform import Rotation
from scipy.special import entr, xlogy

from gmm_teach import check_covariance_from_axes as exported_covariance_check
from gmm_teach import check_responsibility_entropy as exported_entropy_check
from gmm_teach.checks import check_covariance_from_axes, check_responsibility_entropy


def _name(value):
    return getattr(value, "__name__", "diagnosis")


def test_the_checks_are_exported_by_the_package():
    assert exported_covariance_check is check_covariance_from_axes
    assert exported_entropy_check is check_responsibility_entropy


# --------------------------------------------------------------------------
# 01 covariance_from_axes
# --------------------------------------------------------------------------


def _rotation(angle):
    return Rotation.from_euler("z", angle).as_matrix()[:2, :2]


def cov_rotation(lengths, angle):
    r = _rotation(angle)
    return r @ np.diag(np.asarray(lengths) ** 2) @ r.T


def cov_outer_products(lengths, angle):
    u = np.array([np.cos(angle), np.sin(angle)])
    v = np.array([-np.sin(angle), np.cos(angle)])
    return lengths[0] ** 2 * np.outer(u, u) + lengths[1] ** 2 * np.outer(v, v)


def cov_not_squared(lengths, angle):
    r = _rotation(angle)
    return r @ np.diag(lengths) @ r.T


def cov_transposed(lengths, angle):
    r = _rotation(angle)
    return r.T @ np.diag(np.asarray(lengths) ** 2) @ r


def cov_degrees(lengths, angle):
    return cov_rotation(lengths, np.deg2rad(angle))


def cov_swapped(lengths, angle):
    return cov_rotation(lengths[::-1], angle)


def cov_full_axes(lengths, angle):
    return cov_rotation(2 * np.asarray(lengths), angle)


def cov_halved(lengths, angle):
    return cov_rotation(np.asarray(lengths) / 2, angle)


def cov_one_sided(lengths, angle):
    return _rotation(angle) @ np.diag(np.asarray(lengths) ** 2)


def cov_untilted(lengths, angle):
    return np.diag(np.asarray(lengths) ** 2)


def cov_wrong_shape(lengths, angle):
    return cov_rotation(lengths, angle).ravel()


@pytest.mark.parametrize("fn", [cov_rotation, cov_outer_products], ids=_name)
def test_covariance_from_axes_passes_right_answers(fn, capsys):
    check_covariance_from_axes(fn)
    assert capsys.readouterr().out == "covariance_from_axes: all 6 cases match the reference\n"


@pytest.mark.parametrize("fn, expected", [
    (cov_not_squared, r"case 1 of 6: lengths = \(3, 1\), angle = 0\.5236 rad \(30 degrees\)\.\n"
                      r"Its semi-axes are the square roots.*lengths\*\*2"),
    (cov_transposed, r"case 1 of 6.*tilted the other way.*R\.T @ D @ R"),
    (cov_degrees, r"case 1 of 6.*converted the angle from degrees.*already in radians"),
    (cov_swapped, r"case 1 of 6.*two lengths are swapped"),
    (cov_full_axes, r"case 1 of 6.*twice as long.*semi-axes"),
    (cov_halved, r"case 1 of 6.*half as long.*do not halve"),
    (cov_one_sided, r"case 1 of 6.*not symmetric.*transpose on the other"),
    (cov_untilted, r"case 1 of 6.*draws an ellipse with semi-axes 3 and 1, the longer at 0 "
                   r"degrees; the one asked for has semi-axes 3 and 1, the longer at 30 degrees"),
    (cov_wrong_shape, r"case 1 of 6.*shape \(4,\) but should be \(2, 2\)"),
], ids=_name)
def test_covariance_from_axes_names_each_typical_mistake(fn, expected):
    with pytest.raises(AssertionError, match="(?s)" + expected):
        check_covariance_from_axes(fn)


def test_covariance_from_axes_stub_is_not_written():
    def covariance_from_axes(lengths, angle):
        raise NotImplementedError()

    with pytest.raises(NotImplementedError, match="not written yet"):
        check_covariance_from_axes(covariance_from_axes)


# --------------------------------------------------------------------------
# 03 responsibility_entropy
# --------------------------------------------------------------------------


def entropy_entr(responsibilities):
    return entr(responsibilities).sum(axis=1)


def entropy_loop(responsibilities):
    out = np.zeros(len(responsibilities))
    for i, row in enumerate(responsibilities):
        for g in row:
            if g > 0:
                out[i] -= g * np.log(g)
    return out


def entropy_nan(responsibilities):
    return -(responsibilities * np.log(responsibilities)).sum(axis=1)


def entropy_log2(responsibilities):
    return -xlogy(responsibilities, responsibilities).sum(axis=1) / np.log(2)


def entropy_log10(responsibilities):
    return entr(responsibilities).sum(axis=1) / np.log(10)


def entropy_wrong_axis(responsibilities):
    return entr(responsibilities).sum(axis=0)


def entropy_no_minus(responsibilities):
    return xlogy(responsibilities, responsibilities).sum(axis=1)


def entropy_not_summed(responsibilities):
    return entr(responsibilities)


def entropy_total(responsibilities):
    return entr(responsibilities).sum()


def entropy_mean(responsibilities):
    return entr(responsibilities).mean(axis=1)


def entropy_scipy(responsibilities):
    return scipy.stats.entropy(responsibilities, axis=1)


def entropy_in_place(responsibilities):
    responsibilities[responsibilities == 0] = 1.0
    return -(responsibilities * np.log(responsibilities)).sum(axis=1)


@pytest.mark.parametrize("fn", [entropy_entr, entropy_loop], ids=_name)
def test_responsibility_entropy_passes_right_answers(fn, capsys):
    check_responsibility_entropy(fn)
    assert capsys.readouterr().out == "responsibility_entropy: all 5 cases match the reference\n"


CASE_1 = r"case 1 of 5: 5 points, K = 3, written by hand \(with exact zeros\)\.\n"


@pytest.mark.parametrize("fn, expected", [
    (entropy_nan, CASE_1 + r"Your entropy of point 0 is NaN.*0 \* \(-inf\) = NaN.*0 log 0 = 0"),
    (entropy_log2, CASE_1 + r".*divided by log\(2\): you used np\.log2.*nats"),
    (entropy_log10, CASE_1 + r".*divided by log\(10\): you used np\.log10"),
    (entropy_wrong_axis, CASE_1 + r".*shape \(3,\), one per component.*axis=0"),
    (entropy_no_minus, CASE_1 + r".*negative.*forgot the minus sign"),
    (entropy_not_summed, CASE_1 + r".*shape \(5, 3\), one term per point and component"),
    (entropy_total, CASE_1 + r".*one number.*shape \(5,\)"),
    (entropy_mean, CASE_1 + r".*divided by K = 3: you took the mean"),
    (entropy_scipy, CASE_1 + r".*calls scipy\.stats\.entropy"),
    (entropy_in_place, CASE_1 + r".*changed its argument responsibilities in place"),
], ids=_name)
def test_responsibility_entropy_names_each_typical_mistake(fn, expected):
    with pytest.raises(AssertionError, match="(?s)" + expected):
        check_responsibility_entropy(fn)


def test_responsibility_entropy_stub_is_not_written():
    def responsibility_entropy(responsibilities):
        raise NotImplementedError()

    with pytest.raises(NotImplementedError, match="not written yet"):
        check_responsibility_entropy(responsibility_entropy)


# --------------------------------------------------------------------------
# 01 gaussian_pdf: each slip in the formula gets its own diagnosis
# --------------------------------------------------------------------------


def _pdf_by_points(X, mus, sigmas, pis, root=True, det_root=True, half=True, inverse=True,
                   power_d=True):
    """Point by point with plain numpy: the weighted density, optionally with one slip."""
    d = X.shape[1]
    out = np.zeros((len(X), len(mus)))
    for k in range(len(mus)):
        matrix = np.linalg.inv(sigmas[k]) if inverse else np.asarray(sigmas[k])
        two_pi = (2 * np.pi) ** d if power_d else 2 * np.pi
        det = np.linalg.det(sigmas[k])
        if not root:
            norm = two_pi * det
        elif not det_root:
            norm = np.sqrt(two_pi) * det
        else:
            norm = np.sqrt(two_pi * det)
        for i, x in enumerate(X):
            quad = (x - mus[k]) @ matrix @ (x - mus[k])
            out[i, k] = pis[k] * np.exp(-(0.5 if half else 1.0) * quad) / norm
    return out


def pdf_right_by_points(X, mus, sigmas, pis):
    return _pdf_by_points(X, mus, sigmas, pis)


def pdf_scipy(X, mus, sigmas, pis):
    return np.column_stack([pis[k] * scipy.stats.multivariate_normal(mus[k], sigmas[k]).pdf(X)
                            for k in range(len(mus))]).reshape(len(X), len(mus))


def pdf_no_root(X, mus, sigmas, pis):
    return _pdf_by_points(X, mus, sigmas, pis, root=False)


def pdf_det_not_rooted(X, mus, sigmas, pis):
    return _pdf_by_points(X, mus, sigmas, pis, det_root=False)


def pdf_no_half(X, mus, sigmas, pis):
    return _pdf_by_points(X, mus, sigmas, pis, half=False)


def pdf_sigma_not_inverse(X, mus, sigmas, pis):
    return _pdf_by_points(X, mus, sigmas, pis, inverse=False)


def pdf_two_pi_not_powered(X, mus, sigmas, pis):
    return _pdf_by_points(X, mus, sigmas, pis, power_d=False)


def pdf_two_slips(X, mus, sigmas, pis):
    """No square root and no 1/2: not one typical slip, so the general checklist."""
    return _pdf_by_points(X, mus, sigmas, pis, root=False, half=False)


@pytest.mark.parametrize("fn", [pdf_right_by_points, pdf_scipy], ids=_name)
def test_gaussian_pdf_passes_right_answers(fn, capsys):
    from gmm_teach.checks import check_gaussian_pdf

    assert check_gaussian_pdf(fn) is None
    assert capsys.readouterr().out == "gaussian_pdf: all 6 cases match the reference\n"


@pytest.mark.parametrize("fn, expected", [
    (pdf_no_root, r"case 1 of 6.*\nYour densities are the reference's divided by "
                  r"sqrt\(\(2 pi\)\^D \|sigmas\[k\]\|\): the normalising constant lacks its "
                  r"square root"),
    (pdf_det_not_rooted, r"case 1 of 6.*\nYour densities are the reference's divided by "
                         r"sqrt\(\|sigmas\[k\]\|\): the determinant .* lacks its square root"),
    (pdf_no_half, r"case 1 of 6.*\nYour densities fall off too fast .* lacks its factor 1/2"),
    (pdf_sigma_not_inverse, r"case 1 of 6.*\nYour quadratic form uses sigmas\[k\] itself "
                            r"where it needs its inverse"),
    (pdf_two_pi_not_powered, r"case 3 of 6: X \(40, 3\), K = 2\.\nYour normalising constant "
                             r"has 2 pi where it needs \(2 pi\)\^D, with D = n_features = 3"),
    (pdf_two_slips, r"case 1 of 6.*\nYour output\[\d+, \d\] is .*\nLook at the normalising "
                    r"constant"),
], ids=_name)
def test_gaussian_pdf_names_each_slip_in_the_formula(fn, expected):
    from gmm_teach.checks import check_gaussian_pdf

    with pytest.raises(AssertionError, match="(?s)" + expected):
        check_gaussian_pdf(fn)
