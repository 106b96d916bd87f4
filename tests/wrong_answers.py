"""One typical wrong answer for every exercise of the course, by its solution cell's grade_id.

Each replaces the lines between ``### BEGIN SOLUTION`` and ``### END SOLUTION``
(indentation included). The grading test submits each one and expects 0 points
for that exercise and full points for the others. A new exercise needs an entry
here: tests/test_assignments.py checks that every exercise has one.
"""

WRONG_ANSWERS = {
    # argmin over the points instead of over the centres
    "00_introduction-solution-1": """\
    squared_distances = ((X[:, None, :] - centers[None, :, :]) ** 2).sum(axis=2)
    return squared_distances.argmin(axis=0)
""",
    # the semi-axis lengths not squared: the eigenvalues must be variances
    "01_gaussian_pdf-solution-1": """\
    directions = np.array([[np.cos(angle), -np.sin(angle)],
                           [np.sin(angle), np.cos(angle)]])
    return directions @ np.diag(lengths) @ directions.T
""",
    # the weights pis[k] forgotten
    "01_gaussian_pdf-solution-2": """\
    for k in range(n_components):
        diff = X - mus[k]
        solved = np.linalg.solve(sigmas[k], diff.T).T
        mahalanobis_sq = np.sum(diff * solved, axis=1)
        normaliser = np.sqrt((2 * np.pi) ** n_features * np.linalg.det(sigmas[k]))
        densities[:, k] = np.exp(-0.5 * mahalanobis_sq) / normaliser
""",
    # the axis argument ignored: always the last axis (right for log_likelihood's axis=1)
    "02_log_likelihood-solution-1": """\
    m = np.max(a, axis=-1, keepdims=True)
    return m[..., 0] + np.log(np.sum(np.exp(a - m), axis=-1))
""",
    # the weights pis[k] forgotten in the log weighted densities
    "02_log_likelihood-solution-2": """\
    log_weighted = np.zeros((n_samples, n_components))
    for k in range(n_components):
        diff = X - mus[k]
        mahalanobis_sq = np.sum(diff * np.linalg.solve(sigmas[k], diff.T).T, axis=1)
        _, log_det = np.linalg.slogdet(sigmas[k])
        log_weighted[:, k] = -0.5 * (n_features * np.log(2 * np.pi) + log_det + mahalanobis_sq)
    return float(np.sum(log_sum_exp(log_weighted, axis=1)))
""",
    # normalised over the samples instead of over the components
    "03_e_step-solution-1": """\
    weighted = np.exp(log_weighted)
    responsibilities = weighted / weighted.sum(axis=0, keepdims=True)
""",
    # 0 * log(0) left as NaN for the responsibilities that are exactly 0
    "03_e_step-solution-2": """\
    return -np.sum(responsibilities * np.log(responsibilities), axis=1)
""",
    # covariances divided by n instead of N_k
    "04_m_step-solution-1": """\
    n_k = responsibilities.sum(axis=0)
    mus = responsibilities.T @ X / n_k[:, None]
    sigmas = np.zeros((n_components, n_features, n_features))
    for k in range(n_components):
        diff = X - mus[k]
        sigmas[k] = (responsibilities[:, k, None] * diff).T @ diff / n_samples
    pis = n_k / n_samples
""",
    # the log-weights log pis[k] forgotten
    "04_m_step-solution-2": """\
    total = 0.0
    for k in range(len(pis)):
        diff = X - mus[k]
        _, log_det = np.linalg.slogdet(sigmas[k])
        mahalanobis_sq = np.sum(diff * np.linalg.solve(sigmas[k], diff.T).T, axis=1)
        log_density = -0.5 * (n_features * np.log(2 * np.pi) + log_det + mahalanobis_sq)
        total += np.sum(responsibilities[:, k] * log_density)
""",
    # 0 log 0 left to numpy: NaN for a hard assignment
    "06_why_em_works-solution-1": """\
    bound = np.sum(q * (log_weighted - np.log(q)))
""",
    # covariances around the new means: EM's own M-step, not the asked one
    "06_why_em_works-solution-2": """\
    n_k = responsibilities.sum(axis=0)
    mus = responsibilities.T @ X / n_k[:, None]
    sigmas = np.array([
        (responsibilities[:, k, None] * (X - mus[k])).T @ (X - mus[k]) / n_k[k]
        for k in range(len(n_k))
    ])
    pis = n_k / len(X)
""",
    # the log-likelihood recorded before the M-step: one step behind
    "05_em_loop-solution-1": """\
    for _ in range(n_iter):
        responsibilities = e_step(X, mus, sigmas, pis)
        log_likelihoods.append(log_likelihood(X, mus, sigmas, pis))
        mus, sigmas, pis = m_step(X, responsibilities, reg_covar=0.0)
""",
    # the change of the total log-likelihood compared with tol, not of the mean
    "05_em_loop-solution-2": """\
    log_likelihoods = [log_likelihood(X, mus, sigmas, pis)]
    converged = False
    for _ in range(max_iter):
        responsibilities = e_step(X, mus, sigmas, pis)
        mus, sigmas, pis = m_step(X, responsibilities, reg_covar=0.0)
        log_likelihoods.append(log_likelihood(X, mus, sigmas, pis))
        if abs(log_likelihoods[-1] - log_likelihoods[-2]) < tol:
            converged = True
            break
""",
    # the next centre drawn in proportion to D, not D^2
    "07_initialisation-solution-1": """\
    n_samples = len(X)
    chosen = [rng.integers(n_samples)]
    closest = np.sqrt(np.sum((X - X[chosen[0]]) ** 2, axis=1))
    for _ in range(1, n_components):
        new = rng.choice(n_samples, p=closest / closest.sum())
        chosen.append(new)
        closest = np.minimum(closest, np.sqrt(np.sum((X - X[new]) ** 2, axis=1)))
    return X[chosen]
""",
    # rounded down: 10 starts all miss with probability 0.0135 > 0.01
    "07_initialisation-solution-2": """\
n_random_restarts = int(np.floor(np.log(0.01) / np.log(1 - 7 / 20)))
""",
    # each covariance counted as D^2 numbers
    "08_choosing_k-solution-1": """\
    n_samples = X.shape[0]
    n_components, n_features = np.shape(mus)
    n_params = n_components * n_features + n_components * n_features**2 + n_components - 1
    return -2 * log_likelihood(X, mus, sigmas, pis) + n_params * np.log(n_samples)
""",
    # the factor 1/2 forgotten: the rise of BIC's penalty, not of the log-likelihood
    "08_choosing_k-solution-2": """\
    extra_params = n_features + n_features * (n_features + 1) / 2 + 1
    return extra_params * np.log(n_samples)
""",
    # reg_covar taken for a standard deviation: twice the gain
    "09_collapse-solution-1": """\
    gain = n_features * (np.log(eps_before) - np.log(eps_after))
""",
    # the denominator N_k + nu0: the prior's D + 1 forgotten
    "09_collapse-solution-2": """\
    n_k = responsibilities.sum(axis=0)
    sigmas = np.empty((len(mus), X.shape[1], X.shape[1]))
    for k in range(len(mus)):
        diff = X - mus[k]
        sigmas[k] = (prior_scale + (responsibilities[:, k, None] * diff).T @ diff) / (nu0 + n_k[k])
""",
    # fancy-index increment: a repeated pair (j, k) is counted once
    "10_local_optima_and_label_switching-solution-1": """\
    overlap = np.zeros((n_components, n_components), dtype=int)
    overlap[labels_a, labels_b] += 1
""",
    # the arguments of cdist swapped: the inverse permutation
    "10_local_optima_and_label_switching-solution-2": """\
    cost = cdist(mus, reference_mus)
    rows, permutation = linear_sum_assignment(cost)
""",
    # each covariance multiplied by scale, not by scale[a] * scale[b]
    "11_old_faithful-solution-1": """\
    mus = mean + scale * mus_z
    sigmas = sigmas_z * scale
""",
    # each K scored by its last restart, not its best
    "11_old_faithful-solution-2": """\
    bics = np.empty(len(k_values))
    for j, k in enumerate(k_values):
        for r in range(n_restarts):
            run = fit_gmm(X, k, random_state=r)
            bics[j] = bic(X, run.mus, run.sigmas, run.pis)
    chosen_k = k_values[int(np.argmin(bics))]
""",
    # multiplied by the transposed Cholesky factor
    "12_density_and_classification-solution-1": """\
    labels = rng.choice(len(pis), size=n, p=pis)
    noise = rng.standard_normal((n, mus.shape[1]))
    chols = np.linalg.cholesky(sigmas).transpose(0, 2, 1)
    X = mus[labels] + np.einsum("nij,nj->ni", chols[labels], noise)
""",
    # the priors forgotten
    "12_density_and_classification-solution-2": """\
    log_joint = np.column_stack([
        logsumexp(log_gaussian_pdf(X, mus, sigmas, pis), axis=1)
        for (mus, sigmas, pis), prior in zip(class_mixtures, priors)
    ])
    posteriors = np.exp(log_joint - logsumexp(log_joint, axis=1, keepdims=True))
""",
    # probabilities instead of logs: 0/0 = NaN on the check's 1,500-pixel case
    "13_bernoulli_mixture-solution-1": """\
    probabilities = np.prod(np.where(X[:, None, :] == 1, mus, 1 - mus), axis=2) * pis
    responsibilities = probabilities / probabilities.sum(axis=1, keepdims=True)
""",
    # the floor forgotten: exact 0s and 1s in mus
    "13_bernoulli_mixture-solution-2": """\
    n_k = responsibilities.sum(axis=0)
    mus = responsibilities.T @ X / n_k[:, None]
    pis = n_k / n_samples
""",
    # strict < instead of <=: the point whose score is the threshold is not counted as flagged
    "14_using_a_mixture-solution-1": """\
    best_t, best_f1 = None, -1.0
    for t in np.unique(log_densities):
        flagged = log_densities < t
        tp = np.sum(flagged & is_anomaly)
        f1 = 2 * tp / (tp + np.sum(flagged) + np.sum(is_anomaly) - tp)
        if f1 > best_f1:
            best_t, best_f1 = t, f1
    t = best_t
""",
    # the one-hot written in every row: label -1 lights up the last column
    "14_using_a_mixture-solution-2": """\
    responsibilities = e_step(X, mus, sigmas, pis)
    responsibilities[labels >= 0] = 0.0
    responsibilities[np.arange(len(X)), labels] = 1.0
""",
    # np.linalg.inv, which the exercise rules out
    "15_vectorising-solution-1": """\
    diff = X - mu
    return np.einsum("nd,de,ne->n", diff, np.linalg.inv(sigma), diff)
""",
    # every entry of the symmetric scatter matrices counted, not only those on and above the diagonal
    "16_performance-solution-1": """\
    return 2 * N * K * D**2 + 2 * N * K * D**2
""",
}


def with_wrong_answer(source, wrong):
    """``source`` (a solution cell) with its solution region replaced by ``wrong``."""
    lines = source.splitlines(keepends=True)
    begin = next(i for i, line in enumerate(lines) if "BEGIN SOLUTION" in line)
    end = next(i for i, line in enumerate(lines) if "END SOLUTION" in line)
    return "".join(lines[:begin] + [wrong] + lines[end + 1:])
