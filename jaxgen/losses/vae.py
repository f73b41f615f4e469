"""VAE objectives: likelihoods, Gaussian KL, free bits and the echo-noise channel.

All functions are pure jnp, can be jitted and vmapped, and work in nats. The
ELBO of a VAE with a diagonal-Gaussian posterior is assembled from them as

  elbo = log_likelihood(x | z) - sum_d gaussian_kl(mean, logvar)[..., d]

and a free-bits objective replaces the KL sum by `free_bits_kl`. An echo
autoencoder replaces the Gaussian posterior and its KL by `echo_sample` and
`echo_rate`, the exact mutual information I(x; z) of its noisy channel.

References:
  Kingma & Welling (2014), "Auto-Encoding Variational Bayes", ICLR, Appendix B.
  Kingma, Salimans, Jozefowicz, Chen, Sutskever & Welling (2016), "Improved
    Variational Inference with Inverse Autoregressive Flow", NeurIPS,
    Appendix C.8 ("free bits"), Eq. (15).
  Brekelmans, Moyer, Galstyan & Ver Steeg (2019), "Exact Rate-Distortion in
    Autoencoders via Echo Noise", NeurIPS, Sec. 2 (echo noise and its exact
    mutual information) and Appendix C (the clip factor); the authors' code
    is github.com/brekelma/echo (`echo_noise.py`).
"""

import math

import jax
import jax.numpy as jnp
import optax

Array = jax.Array

_LOG_2PI = math.log(2.0 * math.pi)


def _sum_non_batch(x: Array) -> Array:
  """Sums float [B, ...] over every axis but the first: float [B]."""
  return jnp.sum(x.reshape((x.shape[0], -1)), axis=1)


def bernoulli_log_likelihood(logits: Array, x: Array) -> Array:
  r"""Log-likelihood of targets under independent Bernoulli pixels given by logits.

  .. math::
    \log p(x \mid l) = \sum_j x_j \log \sigma(l_j) + (1 - x_j) \log(1 - \sigma(l_j))

  computed with `optax.sigmoid_binary_cross_entropy` (log-sigmoids, so it is
  finite for any finite logit). For x in {0, 1} this is the exact Bernoulli
  log-probability; for grey values in (0, 1) it is the usual (unnormalised)
  cross-entropy of a Bernoulli decoder (Kingma & Welling, 2014, Appendix C.1).

  Args:
    logits: float32 [B, ...] decoder logits, p(x_j = 1) = sigmoid(logits_j).
    x: float [B, ...] targets in [0, 1], the same shape as `logits`.

  Returns:
    float32 [B], log p(x_i | logits_i) in nats, summed over all non-batch axes
    (always <= 0).

  Raises:
    ValueError: if `logits` and `x` have different shapes.

  Example:
    >>> ll = bernoulli_log_likelihood(jnp.zeros((1, 3)), jnp.array([[1.0, 0.0, 1.0]]))
    >>> round(float(ll[0]), 4)  # 3 log(1/2)
    -2.0794
  """
  if logits.shape != x.shape:
    raise ValueError(f"logits and x must have the same shape, got {logits.shape} and {x.shape}")
  return -_sum_non_batch(optax.sigmoid_binary_cross_entropy(logits, x))


def gaussian_log_likelihood(x: Array, mean: Array, log_scale: Array | float) -> Array:
  r"""Log density of x under a diagonal Gaussian, summed over non-batch axes.

  .. math::
    \log \mathcal{N}(x \mid \mu, \sigma^2) = \sum_j -\tfrac12 \log(2\pi) - \log \sigma_j
      - \frac{(x_j - \mu_j)^2}{2 \sigma_j^2}, \qquad \sigma_j = e^{\text{log\_scale}_j}

  Args:
    x: float32 [B, ...] observations.
    mean: float32, broadcastable to x.shape (usually [B, ...]).
    log_scale: float32 log standard deviation, broadcastable to x.shape (e.g.
      a scalar for a fixed or learned global scale, or [B, ...]).

  Returns:
    float32 [B], log N(x_i | mean_i, exp(log_scale)^2) in nats (a density, so
    it can be positive for small scales).

  Raises:
    ValueError: if `mean` or `log_scale` does not broadcast to x.shape.

  Example:
    >>> ll = gaussian_log_likelihood(jnp.zeros((1, 2)), jnp.zeros((1, 2)), 0.0)
    >>> round(float(ll[0]), 4)  # -log(2 pi)
    -1.8379
  """
  mean = jnp.asarray(mean)
  log_scale = jnp.asarray(log_scale)
  try:
    shape = jnp.broadcast_shapes(x.shape, mean.shape, log_scale.shape)
  except ValueError as e:
    raise ValueError(f"mean {mean.shape} and log_scale {log_scale.shape} must broadcast to x {x.shape}") from e
  if shape != x.shape:
    raise ValueError(f"mean {mean.shape} and log_scale {log_scale.shape} must broadcast to x {x.shape}")
  scaled = (x - mean) * jnp.exp(-log_scale)
  log_density = -0.5 * _LOG_2PI - log_scale - 0.5 * jnp.square(scaled)
  return _sum_non_batch(jnp.broadcast_to(log_density, x.shape))


def gaussian_kl(
    mean_q: Array,
    logvar_q: Array,
    mean_p: Array | float = 0.0,
    logvar_p: Array | float = 0.0,
) -> Array:
  r"""Per-dimension KL divergence between two diagonal Gaussians.

  .. math::
    \mathrm{KL}\big(\mathcal{N}(\mu_q, \sigma_q^2) \,\|\, \mathcal{N}(\mu_p, \sigma_p^2)\big)
      = \tfrac12 \Big( \log\frac{\sigma_p^2}{\sigma_q^2} + \frac{\sigma_q^2 + (\mu_q - \mu_p)^2}{\sigma_p^2} - 1 \Big)

  elementwise. With the defaults (a standard normal prior) this is
  :math:`-\tfrac12 (1 + \log\sigma_q^2 - \mu_q^2 - \sigma_q^2)`, Kingma &
  Welling (2014), Appendix B; non-default `mean_p`, `logvar_p` give the KL to
  a learned or hierarchical (conditional) prior. The variance-ratio part is
  computed as expm1(d) - d with d = logvar_q - logvar_p, so it is exactly 0
  for equal distributions and accurate for small divergences.

  Args:
    mean_q: float32 [..., D] posterior means.
    logvar_q: float32 [..., D] posterior log-variances.
    mean_p: float32 prior means, broadcastable against `mean_q` (default 0).
    logvar_p: float32 prior log-variances, broadcastable (default 0).

  Returns:
    float32, the broadcast shape of the inputs (usually [..., D]): the KL of
    each dimension in nats, >= 0. Sum over the last axis for the KL of a
    diagonal Gaussian.

  Example:
    >>> float(gaussian_kl(jnp.array([1.0]), jnp.array([0.0]))[0])  # KL(N(1, 1) || N(0, 1))
    0.5
  """
  d = logvar_q - logvar_p
  return 0.5 * (jnp.expm1(d) - d + jnp.square(mean_q - mean_p) * jnp.exp(-jnp.asarray(logvar_p)))


def free_bits_kl(kl_per_dim: Array, free_bits: float | Array) -> Array:
  r"""The free-bits KL term: at least `free_bits` nats per latent dimension are free.

  .. math::
    \tilde{\mathcal{L}}_{\mathrm{KL}} = \sum_d \max\big(\lambda,\ \mathbb{E}_{x \sim \mathcal{M}}
      [\mathrm{KL}(q(z_d \mid x) \,\|\, p(z_d))]\big)

  where the expectation is the mean over the minibatch M (Kingma et al.,
  2016, Appendix C.8, Eq. 15, with every latent dimension its own group).
  Because of the max, a dimension whose batch-mean KL is below lambda gets
  exactly zero gradient, so the encoder is not pushed to collapse it further;
  above lambda each of its B entries gets gradient 1/B, as for the plain KL.
  At a tie (batch-mean KL exactly lambda) `jnp.maximum` splits the gradient,
  so each entry gets 1/(2B).

  Args:
    kl_per_dim: float32 [B, D] per-example, per-dimension KL in nats (e.g.
      `gaussian_kl(mean, logvar)`); more trailing axes [B, ...] are allowed,
      each entry then being its own group.
    free_bits: lambda, nats per dimension (python float or float32 []); 0
      gives the plain batch mean of the summed KL.

  Returns:
    float32 [], the free-bits KL term in nats (to be added to the negative
    ELBO in place of the batch-mean KL).

  Raises:
    ValueError: if `kl_per_dim` has fewer than 2 axes, or a python
      `free_bits` is negative.

  Example:
    >>> kl = jnp.array([[0.1, 2.0], [0.3, 4.0]])  # batch means 0.2 and 3.0
    >>> round(float(free_bits_kl(kl, 0.5)), 4)  # max(0.2, 0.5) + max(3.0, 0.5)
    3.5
  """
  if kl_per_dim.ndim < 2:
    raise ValueError(f"kl_per_dim must be [B, D], got shape {kl_per_dim.shape}")
  if isinstance(free_bits, (int, float)) and free_bits < 0:
    raise ValueError(f"free_bits must be >= 0 nats per dimension, got {free_bits}")
  return jnp.sum(jnp.maximum(jnp.mean(kl_per_dim, axis=0), free_bits))


# Echo noise (Brekelmans et al., 2019).


def echo_log_scale(pre_activation: Array, clip: float) -> Array:
  r"""Log of the echo scale S(x) = clip * sigmoid(a), elementwise.

  .. math:: \log S(x) = \log(\text{clip}) + \log\sigma(a)

  A sigmoid times a clip factor keeps every diagonal entry of S in
  (0, clip), so the echo series converges; the authors choose clip such that
  the terms beyond `d_max` are below float32 precision,
  M clip^d_max / (1 - clip) ~ 2^-23 for |f| <= M (Brekelmans et al., 2019,
  Appendix C; their code uses clip = (2^-23 / M)^(1 / d_max)). Computed with
  `jax.nn.log_sigmoid`, so very negative pre-activations give very negative
  but finite log-scales (about `a`), never -inf.

  Args:
    pre_activation: float32 [B, D] encoder outputs a(x).
    clip: python float in (0, 1].

  Returns:
    float32 [B, D], log S(x) (always < log(clip) <= 0).

  Raises:
    ValueError: if `clip` is not in (0, 1].

  Example:
    >>> round(float(echo_log_scale(jnp.array([0.0]), clip=0.5)[0]), 4)  # log(0.5 * 0.5)
    -1.3863
  """
  if not 0.0 < clip <= 1.0:
    raise ValueError(f"clip must be in (0, 1], got {clip}")
  return math.log(clip) + jax.nn.log_sigmoid(pre_activation)


def echo_noise(f: Array, log_s: Array, key: Array, d_max: int) -> Array:
  r"""Echo noise: the truncated echo series built from the other examples of the batch.

  .. math::
    \epsilon_i = \sum_{l=0}^{d_{\max}-1} \Big(\prod_{j<l} S(x^{(j)}_i)\Big) f(x^{(l)}_i),
    \qquad x^{(l)}_i = \text{the example } l + 1 \text{ places after } i \text{ in a shuffled batch}

  (Brekelmans et al., 2019, Sec. 2, truncated at d_max terms). The batch is
  shuffled once with a random permutation from `key`; term l of example i
  uses the example (l + 1) positions further along the shuffled order
  (cyclically), so as long as d_max < B the d_max sources of an example are
  distinct and none is the example itself. Products of scales are taken in
  log space, exp(exclusive cumsum of log S), so tiny scales underflow to 0
  instead of producing NaN. Gradients flow into f and log_s of the sources.

  With diagonal S, z = f(x) + S(x) eps has, by construction, the same
  distribution as eps: the marginal q(z) (the aggregate posterior) is the
  distribution of echo noise. So `echo_noise` applied to a batch of real
  encodings f(x), log S(x) draws from q(z); that is how an echo model is
  sampled (decode `echo_noise(...)`).

  Args:
    f: float32 [B, D] encoder means f(x), bounded (e.g. tanh) so that the
      series converges.
    log_s: float32 [B, D] log S(x), e.g. from `echo_log_scale`.
    key: PRNG key for the shuffle.
    d_max: python int, number of terms, 1 <= d_max < B.

  Returns:
    float32 [B, D], the noise eps_i for every example.

  Raises:
    ValueError: if shapes differ or are not [B, D], or d_max is not in [1, B).

  Example:
    >>> f = jnp.arange(4.0)[:, None]
    >>> eps = echo_noise(f, jnp.zeros((4, 1)), jax.random.key(0), d_max=1)
    >>> sorted(eps[:, 0].tolist()), bool(jnp.all(eps != f))  # a permutation of f, no fixed point
    ([0.0, 1.0, 2.0, 3.0], True)
  """
  if f.ndim != 2 or f.shape != log_s.shape:
    raise ValueError(f"f and log_s must both be [B, D], got {f.shape} and {log_s.shape}")
  batch = f.shape[0]
  if not 1 <= d_max < batch:
    raise ValueError(f"d_max must be in [1, batch size {batch}) so that no example is its own noise "
                     f"source, got d_max={d_max}; lower d_max or use a larger batch")
  perm = jax.random.permutation(key, batch)
  position = jnp.argsort(perm)  # position[i]: where example i sits in the shuffled order.
  offsets = jnp.arange(1, d_max + 1)
  sources = perm[(position[None, :] + offsets[:, None]) % batch]  # [d_max, B]
  f_src = f[sources]  # [d_max, B, D]
  log_s_src = log_s[sources]
  log_prod = jnp.concatenate([jnp.zeros_like(log_s_src[:1]), jnp.cumsum(log_s_src[:-1], axis=0)], axis=0)
  return jnp.sum(jnp.exp(log_prod) * f_src, axis=0)


def echo_sample(f: Array, log_s: Array, key: Array, d_max: int) -> Array:
  r"""The echo channel's output z = f(x) + S(x) eps, eps from `echo_noise`.

  .. math:: z = f(x) + S(x)\, \epsilon

  (Brekelmans et al., 2019, Sec. 2.) Used in place of the Gaussian
  reparameterisation of a VAE; the rate term is `echo_rate(log_s)`.

  Args:
    f: float32 [B, D] encoder means f(x), bounded (e.g. tanh).
    log_s: float32 [B, D] log S(x).
    key: PRNG key for the shuffle in `echo_noise`.
    d_max: python int, number of echo terms, 1 <= d_max < B.

  Returns:
    float32 [B, D] latent codes z.

  Raises:
    ValueError: as `echo_noise`.

  Example:
    >>> z = echo_sample(jnp.zeros((3, 2)), jnp.zeros((3, 2)), jax.random.key(0), d_max=2)
    >>> z.shape, float(jnp.abs(z).max())
    ((3, 2), 0.0)
  """
  return f + jnp.exp(log_s) * echo_noise(f, log_s, key, d_max)


def echo_rate(log_s: Array) -> Array:
  r"""Exact mutual information I(x; z) of the echo channel, per example.

  .. math:: I(x; z) = -\mathbb{E}_x \log\lvert\det S(x)\rvert = -\mathbb{E}_x \sum_d \log S_d(x)

  for diagonal S (Brekelmans et al., 2019, Sec. 2); this function returns
  the per-example term, so its batch mean is the rate. It replaces the KL
  term of the ELBO. It includes the log(clip) offset of `echo_log_scale`.

  Args:
    log_s: float32 [B, D] log S(x) (more trailing axes are summed too).

  Returns:
    float32 [B], -sum_d log S_d(x_i) in nats (>= 0 when S <= 1).

  Example:
    >>> round(float(echo_rate(jnp.full((1, 4), math.log(0.5)))[0]), 4)  # 4 log 2
    2.7726
  """
  return -_sum_non_batch(log_s)
