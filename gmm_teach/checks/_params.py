"""What the M-step and EM-loop checks share: returned parameters and their diagnoses."""

import numpy as np

from .. import _validation as v
from ._compare import as_array, check_shape
from ._harness import Failure

#: Relative tolerance for the M-step: a student who adds ``1e-6`` to the
#: covariances' diagonals (as scikit-learn does) still passes.
M_STEP_RTOL = 1e-5

def check_params_output(out, n_components, n_features, n_extra=0, extra_text=""):
    """Unpack and shape-check ``(mus, sigmas, pis[, extra])`` returned by the student."""
    n_values = 3 + n_extra
    expected = "(mus, sigmas, pis" + extra_text + ")"
    if not isinstance(out, (tuple, list)):
        raise Failure(
            f"your function returned a {type(out).__name__}; it should return the "
            f"{n_values} values {expected}."
        )
    if len(out) != n_values:
        raise Failure(
            f"your function returned {len(out)} values; it should return the {n_values} "
            f"values {expected}, in that order."
        )
    k, d = n_components, n_features
    mus = as_array(out[0], "your mus")
    check_shape(mus, (k, d), "your mus", "One row per component: shape (K, D).")
    sigmas = as_array(out[1], "your sigmas")
    check_shape(sigmas, (k, d, d), "your sigmas", "One D x D matrix per component.")
    pis = as_array(out[2], "your pis")
    if pis.size != k or pis.ndim > 2:
        raise Failure(
            f"your pis has shape {pis.shape} but should have K = {k} entries, one weight "
            f"per component."
        )
    return (mus, sigmas, pis.ravel(), *out[3:])


def check_weights_and_symmetry(pis, sigmas, n_samples):
    if abs(pis.sum() - 1.0) > v.SUM_TO_ONE_ATOL:
        hint = ""
        if np.isclose(pis.sum(), n_samples, rtol=1e-6):
            hint = f" (that is n = {n_samples}: you forgot to divide N_k by n)"
        raise Failure(
            f"your weights pis sum to {pis.sum():.6g} instead of 1{hint}. The weight of "
            f"component k is pis[k] = N_k / n, with N_k = sum_i gamma_ik and n the number "
            f"of samples."
        )
    for k, sigma in enumerate(sigmas):
        asym = np.abs(sigma - sigma.T)
        if asym.max() > v.SYMMETRY_RTOL * np.abs(sigma).max():
            i, j = np.unravel_index(int(np.argmax(asym)), asym.shape)
            raise Failure(
                f"your covariances are not symmetric: sigmas[{k}][{i}, {j}] = "
                f"{sigma[i, j]:.6g} but sigmas[{k}][{j}, {i}] = {sigma[j, i]:.6g}. "
                f"Did you fill only one triangle, or put different vectors on the two sides "
                f"of the outer product? sigmas[k] = sum_i gamma_ik d_i d_i^T / N_k, with the "
                f"same deviation d_i = x_i - mus_new[k] on both sides."
            )


def covariances_about(X, responsibilities, centres):
    """Weighted covariances about given ``centres`` (the old means, for a diagnosis)."""
    nk = responsibilities.sum(axis=0)
    sigmas = np.empty((len(centres), X.shape[1], X.shape[1]))
    for k, centre in enumerate(centres):
        d = X - centre
        sigmas[k] = (responsibilities[:, k, None] * d).T @ d / nk[k]
    return sigmas


OLD_MEANS = (
    "your covariances are computed around the old means: use the new means mus_new[k] "
    "(compute the means first, then sigmas[k] = sum_i gamma_ik (x_i - mus_new[k]) "
    "(x_i - mus_new[k])^T / N_k)."
)


def params_atol(reference):
    return M_STEP_RTOL * max(1.0, float(np.abs(reference).max()))
