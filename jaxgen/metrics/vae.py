"""Posterior-collapse diagnostics for VAEs: active units, mutual information, a collapse rule.

A VAE's posterior has collapsed when q(z | x) no longer depends on x: the KL
term goes to 0 and the decoder models the data on its own. Three views:

* `active_units`: how many latent dimensions still move with x (Burda et al.).
* `mutual_information`: I(x; z) under the aggregate posterior, in nats, a
  Monte Carlo estimate bounded by log N.
* `posterior_collapse`: a rule on the training curves (KL and reconstruction).

`active_units` and `mutual_information` are pure jnp (jit, vmap over seeds);
`posterior_collapse` is a host-side rule on short numpy series.

References:
  Burda, Grosse & Salakhutdinov (2016), "Importance Weighted Autoencoders",
    ICLR, Sec. 5.2 (active units).
  Hoffman & Johnson (2016), "ELBO surgery: yet another way to carve up the
    variational evidence lower bound", NeurIPS Workshop on Advances in
    Approximate Bayesian Inference (average KL = I(x; z) + KL(q(z) || p(z))).
  He, Spokoyny, Neubig & Berg-Kirkpatrick (2019), "Lagging Inference Networks
    and Posterior Collapse in Variational Autoencoders", ICLR (the
    aggregate-posterior estimate of I(x; z) used as a collapse metric).
"""

import functools
import math

import jax
import jax.numpy as jnp
import numpy as np

Array = jax.Array

_LOG_2PI = math.log(2.0 * math.pi)


def active_units(posterior_means: Array, threshold: float = 0.01) -> tuple[Array, Array]:
  r"""Number of active latent units: dimensions whose posterior mean varies with x.

  .. math::
    A_d = \mathrm{Cov}_x\big(\mathbb{E}_{q(z \mid x)}[z_d]\big), \qquad
    \text{unit } d \text{ is active if } A_d > \text{threshold}

  (Burda et al., 2016, Sec. 5.2, threshold 10^-2.) The variance is the
  population variance over the N examples (ddof = 0).

  Args:
    posterior_means: float32 [N, D], E_{q(z|x_n)}[z] for N data points (for a
      Gaussian encoder, its mean output).
    threshold: activity threshold, in squared latent units.

  Returns:
    (count, variances): int32 [] number of active units and float32 [D] the
    variance A_d of each dimension (active ones are `variances > threshold`).

  Raises:
    ValueError: if `posterior_means` is not [N, D] with N >= 2.

  Example:
    >>> means = jnp.array([[0.0, 1.0, 5.0], [0.0, -1.0, 5.001]])
    >>> count, variances = active_units(means)
    >>> int(count), (variances > 0.01).tolist()
    (1, [False, True, False])
  """
  if posterior_means.ndim != 2 or posterior_means.shape[0] < 2:
    raise ValueError(f"posterior_means must be [N, D] with N >= 2, got shape {posterior_means.shape}")
  variances = jnp.var(posterior_means.astype(jnp.float32), axis=0)
  return jnp.sum(variances > threshold).astype(jnp.int32), variances


def _log_normal_diag(z: Array, mean: Array, logvar: Array) -> Array:
  """log N(z | mean, exp(logvar)) summed over the last axis (broadcasting)."""
  return -0.5 * jnp.sum(_LOG_2PI + logvar + jnp.square(z - mean) * jnp.exp(-logvar), axis=-1)


@functools.partial(jax.jit, static_argnames="batch_size")
def mutual_information(mean: Array, logvar: Array, z: Array, batch_size: int = 128) -> Array:
  r"""Monte Carlo estimate of I(x; z) under the aggregate posterior, in nats.

  .. math::
    I(x; z) = \mathbb{E}_{x}\,\mathbb{E}_{q(z \mid x)}\big[\log q(z \mid x) - \log q(z)\big]
      \approx \frac1N \sum_i \Big[\log q(z_i \mid x_i)
      - \log \frac1N \sum_n q(z_i \mid x_n)\Big]

  with q(z) = (1/N) sum_n q(z | x_n) the aggregate posterior over the N
  examples and one sample z_i ~ q(z | x_i) per example. This is the mutual
  information term of the average-KL decomposition of Hoffman & Johnson
  (2016) and the collapse metric of He et al. (2019), who compute it the
  same way (their code uses the analytic entropy for E log q(z|x); here the
  sample's own density is used, which makes the bound below exact). Because
  the sum over n includes n = i, every term is <= log N, so the estimate is
  at most log N: it saturates when the posteriors barely overlap, and N
  must be large for large values to be measurable. It is ~0 when q(z|x)
  does not depend on x (collapse).

  The [N, N] matrix of log q(z_i | x_n) is computed in row blocks of
  `batch_size` (memory batch_size * N * D), under `jax.jit`.

  Args:
    mean: float32 [N, D] posterior means.
    logvar: float32 [N, D] posterior log-variances.
    z: float32 [N, D], one sample of q(z | x_i) per row.
    batch_size: rows of z per block (static: a new value recompiles).

  Returns:
    float32 [], the estimate in nats, in [.., log N].

  Raises:
    ValueError: if the shapes differ or are not [N, D].

  Example:
    >>> mi = mutual_information(jnp.zeros((4, 2)), jnp.zeros((4, 2)), jnp.ones((4, 2)))
    >>> abs(float(mi)) < 1e-6  # identical posteriors: no information about x
    True
  """
  if mean.ndim != 2 or mean.shape != logvar.shape or mean.shape != z.shape:
    raise ValueError(f"mean, logvar and z must all be [N, D], got {mean.shape}, {logvar.shape}, {z.shape}")
  n = mean.shape[0]

  def row(args):
    z_i, i = args
    log_q = _log_normal_diag(z_i[None, :], mean, logvar)  # [N]: log q(z_i | x_n) for every n.
    return log_q[i] - jax.nn.logsumexp(log_q)

  terms = jax.lax.map(row, (z, jnp.arange(n)), batch_size=min(batch_size, n))
  return jnp.mean(terms) + math.log(n)


def posterior_collapse(kl, reconstruction_nll, kl_threshold: float = 0.1, tail: float = 0.25) -> bool:
  """Whether training curves show posterior collapse.

  The rule, on series with one value per evaluation (oldest first), of
  length T: with k = max(1, ceil(tail * T)), collapse is declared when

  1. every one of the last k KL values is strictly below `kl_threshold`, and
  2. the reconstruction improved: reconstruction_nll[-1] < reconstruction_nll[0].

  That is, the model learned to reconstruct (the decoder got better) while
  the latent code carried (almost) no information. A KL that is small only
  at some points of the tail, or a reconstruction that did not improve (a
  model that learned nothing at all), is not called collapse. NaN values
  compare False, so a NaN in the KL tail or at either end of the
  reconstruction series gives False.

  Args:
    kl: 1-D sequence or array [T], total KL per evaluation, nats (e.g. summed
      over latent dimensions, averaged over the data).
    reconstruction_nll: 1-D [T], reconstruction negative log-likelihood, nats.
    kl_threshold: nats; a KL below it counts as collapsed.
    tail: fraction in (0, 1] of the series, at its end, that must stay below
      the threshold.

  Returns:
    A python bool.

  Raises:
    ValueError: if the series are not 1-D, have different lengths, are
      shorter than 2, or `tail` is not in (0, 1].

  Example:
    >>> posterior_collapse([5.0, 1.0, 0.05, 0.02], [120.0, 100.0, 95.0, 94.0])
    True
    >>> posterior_collapse([5.0, 6.0, 7.0, 7.5], [120.0, 100.0, 95.0, 94.0])
    False
  """
  kl = np.asarray(kl, np.float64)
  nll = np.asarray(reconstruction_nll, np.float64)
  if kl.ndim != 1 or nll.ndim != 1:
    raise ValueError(f"kl and reconstruction_nll must be 1-D series, got shapes {kl.shape} and {nll.shape}")
  if kl.shape != nll.shape:
    raise ValueError(f"kl and reconstruction_nll must have the same length, got {len(kl)} and {len(nll)}")
  if len(kl) < 2:
    raise ValueError(f"need at least 2 evaluations to judge collapse, got {len(kl)}")
  if not 0.0 < tail <= 1.0:
    raise ValueError(f"tail must be in (0, 1], got {tail}")
  k = max(1, math.ceil(tail * len(kl)))
  return bool(np.all(kl[-k:] < kl_threshold) and nll[-1] < nll[0])
