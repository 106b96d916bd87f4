"""The check of lesson 08's second exercise: ``k_chosen_by_bic``, the K BIC picks for 420 points.

Lesson 08 fits K = 1, ..., 8 components to 420 points from the four blobs,
five EM runs per K from k-means starts (``fit_gmm(X_420, k, init="kmeans",
random_state=seed)``, seeds 0-4). Keeping, for each K, the run with the highest
log-likelihood, BIC is smallest at K = 4. With only the first run of each K
(seed 0) it is smallest at K = 3: that run of K = 4 stops at a local maximum
where one component covers two clusters. tests/test_checks_07_08.py recomputes
these numbers with fit_gmm and scikit-learn's BIC.
"""

from ._answers import check_number

#: The K that BIC picks from the best of the five runs per K (the right answer), and
#: the K picked by typical mistakes (each recomputed in the tests).
EXPECTED = 4
K_FIRST_RUN_ONLY = 3
K_LARGEST_BIC = 1
K_AIC = 8
K_VALUES = tuple(range(1, 9))


def check_k_chosen_by_bic(k_chosen_by_bic):
    """Check ``k_chosen_by_bic``: the number of components BIC chooses for lesson 08's 420 points.

    Parameters
    ----------
    k_chosen_by_bic : int
        The student's K.

    Returns
    -------
    None
        When it is right, one line is printed.

    Raises
    ------
    AssertionError
        When it is wrong, with a diagnosis for: a single run per K instead of the
        best of the restarts (or the index of the minimum instead of K), the
        largest BIC instead of the smallest, AIC or the training log-likelihood
        instead of BIC, and a K outside 1-8.
    NotImplementedError
        If ``k_chosen_by_bic`` is still ``None`` (not answered).
    """
    __tracebackhide__ = True
    mistakes = [
        (lambda v: v == K_FIRST_RUN_ONLY,
         "that is what BIC gives if each K is scored by one run, e.g. runs_420[k][0]; for K = 4 "
         "that run stops at a local maximum where one component covers two clusters. Score "
         "each K by its BEST run, the one with the highest final log-likelihood (and check "
         "that you return K itself, Ks[index], not the index of the minimum)."),
        (lambda v: v == K_LARGEST_BIC,
         "that is the K with the LARGEST BIC. BIC = -2 log L + p log N is lower-is-better: "
         "take the K with the smallest BIC (np.argmin)."),
        (lambda v: v == K_AIC,
         "8 is the largest K tried, where AIC and the training log-likelihood are best. BIC "
         "charges log N per parameter: compute it with your bic and take its smallest value."),
        (lambda v: v not in K_VALUES,
         f"K must be one of the values fitted, {K_VALUES[0]} to {K_VALUES[-1]}."),
    ]
    otherwise = (
        "for each K in Ks, keep the run in runs_420[k] with the highest final log-likelihood, "
        "compute bic(X_420, run.mus, run.sigmas, run.pis), and store the K (not its index) "
        "whose BIC is smallest."
    )
    check_number("k_chosen_by_bic", k_chosen_by_bic, EXPECTED, mistakes, otherwise)
