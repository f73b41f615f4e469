"""VAE losses and posterior-collapse metrics against analytic and hand-computed values."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jaxgen.losses import vae as vae_losses
from jaxgen.metrics import vae as vae_metrics

# The echo functions run inside a jitted training step; jit them here too (d_max is a shape, so static).
echo_noise = jax.jit(vae_losses.echo_noise, static_argnames="d_max")
echo_sample = jax.jit(vae_losses.echo_sample, static_argnames="d_max")


def log_sigmoid(x):
  return -math.log1p(math.exp(-x))


# Gaussian KL.


def test_gaussian_kl_known_values():
  kl = vae_losses.gaussian_kl(jnp.array([0.0, 1.0, -2.0]), jnp.array([0.0, 0.0, math.log(4.0)]))
  # KL(N(0,1)||N(0,1)) = 0 exactly; KL(N(1,1)||N(0,1)) = 1/2; KL(N(-2,4)||N(0,1)) = (4 + 4 - 1 - log 4) / 2.
  assert float(kl[0]) == 0.0
  assert float(kl[1]) == pytest.approx(0.5, rel=1e-6)
  assert float(kl[2]) == pytest.approx(0.5 * (4.0 + 4.0 - 1.0 - math.log(4.0)), rel=1e-6)


def test_gaussian_kl_non_standard_prior_by_hand():
  mq, vq, mp, vp = 0.3, 0.5, -1.0, 2.0
  expected = 0.5 * (math.log(vp / vq) + (vq + (mq - mp) ** 2) / vp - 1.0)
  kl = vae_losses.gaussian_kl(jnp.array([mq]), jnp.array([math.log(vq)]), jnp.array([mp]), jnp.array([math.log(vp)]))
  assert float(kl[0]) == pytest.approx(expected, rel=1e-6)
  # Identical non-standard Gaussians: exactly 0.
  same = vae_losses.gaussian_kl(jnp.array([mp]), jnp.array([math.log(vp)]), mp, math.log(vp))
  assert float(same[0]) == 0.0


def test_gaussian_kl_broadcasts_over_a_prior():
  mean_q, logvar_q = jnp.zeros((5, 3)), jnp.zeros((5, 3))
  kl = vae_losses.gaussian_kl(mean_q, logvar_q, jnp.array([0.0, 1.0, 0.0]), jnp.array([0.0, 0.0, math.log(2.0)]))
  assert kl.shape == (5, 3)
  np.testing.assert_allclose(kl[:, 1], 0.5, rtol=1e-6)
  np.testing.assert_allclose(kl[:, 2], 0.5 * (math.log(2.0) + 0.5 - 1.0), rtol=1e-5)


def test_gaussian_kl_matches_monte_carlo():
  """KL = E_q[log q(z) - log p(z)], estimated with 200k samples; tolerance 4 standard errors."""
  mean_q = np.array([0.0, 1.5, -0.7, 2.0])
  logvar_q = np.array([0.0, -1.0, 0.8, -2.0])
  mean_p = np.array([0.0, 0.0, 0.5, 1.0])
  logvar_p = np.array([0.0, 0.0, -0.5, 1.0])
  n = 200_000
  eps = np.asarray(jax.random.normal(jax.random.key(0), (n, 4)), np.float64)
  z = mean_q + np.exp(0.5 * logvar_q) * eps

  def log_normal(z, m, lv):
    return -0.5 * (math.log(2 * math.pi) + lv + (z - m) ** 2 / np.exp(lv))

  samples = log_normal(z, mean_q, logvar_q) - log_normal(z, mean_p, logvar_p)
  mc, stderr = samples.mean(0), samples.std(0) / math.sqrt(n)
  kl = np.asarray(vae_losses.gaussian_kl(jnp.array(mean_q, jnp.float32), jnp.array(logvar_q, jnp.float32),
                                         jnp.array(mean_p, jnp.float32), jnp.array(logvar_p, jnp.float32)))
  assert np.all(np.abs(kl - mc) < 4 * stderr + 1e-6), (kl, mc, stderr)
  assert np.all(kl >= 0)


# Likelihoods.


def test_bernoulli_log_likelihood_by_hand():
  logits = [[0.0, 2.0, -1.0], [3.0, -0.5, 0.25]]
  x = [[1.0, 0.0, 1.0], [0.3, 1.0, 0.0]]  # Binary and a grey value.
  expected = [sum(xj * log_sigmoid(lj) + (1 - xj) * log_sigmoid(-lj) for lj, xj in zip(lr, xr))
              for lr, xr in zip(logits, x)]
  ll = vae_losses.bernoulli_log_likelihood(jnp.array(logits), jnp.array(x))
  assert ll.shape == (2,)
  np.testing.assert_allclose(ll, expected, rtol=1e-6)


def test_bernoulli_log_likelihood_sums_image_axes_and_is_stable():
  logits = jnp.full((2, 4, 4, 1), 100.0).at[1].set(-100.0)
  x = jnp.ones((2, 4, 4, 1))
  ll = vae_losses.bernoulli_log_likelihood(logits, x)
  assert float(ll[0]) == pytest.approx(0.0, abs=1e-6)  # Confident and right.
  assert float(ll[1]) == pytest.approx(-100.0 * 16, rel=1e-6)  # Confident and wrong: finite.
  with pytest.raises(ValueError, match="same shape"):
    vae_losses.bernoulli_log_likelihood(logits, x[:, :2])


def test_gaussian_log_likelihood_by_hand():
  x = [[0.5, -1.0], [2.0, 0.0]]
  mean = [[0.0, 0.0], [1.0, 1.0]]
  log_scale = [[0.0, math.log(2.0)], [-1.0, 0.5]]

  def log_n(xv, m, ls):
    return -0.5 * math.log(2 * math.pi) - ls - 0.5 * ((xv - m) / math.exp(ls)) ** 2

  expected = [sum(log_n(*t) for t in zip(xr, mr, lr)) for xr, mr, lr in zip(x, mean, log_scale)]
  ll = vae_losses.gaussian_log_likelihood(jnp.array(x), jnp.array(mean), jnp.array(log_scale))
  np.testing.assert_allclose(ll, expected, rtol=1e-6)
  # A scalar log-scale broadcasts; images sum over H, W, C.
  ll_img = vae_losses.gaussian_log_likelihood(jnp.zeros((3, 2, 2, 1)), jnp.zeros((3, 2, 2, 1)), math.log(0.5))
  np.testing.assert_allclose(ll_img, 4 * (-0.5 * math.log(2 * math.pi) - math.log(0.5)), rtol=1e-6)
  with pytest.raises(ValueError, match="broadcast"):
    vae_losses.gaussian_log_likelihood(jnp.zeros((3, 2)), jnp.zeros((3, 4)), 0.0)


# Free bits.


def test_free_bits_value_by_hand():
  kl = jnp.array([[0.1, 2.0, 0.0], [0.3, 4.0, 1.0]])  # Batch means 0.2, 3.0, 0.5.
  assert float(vae_losses.free_bits_kl(kl, 0.5)) == pytest.approx(0.5 + 3.0 + 0.5, rel=1e-6)
  assert float(vae_losses.free_bits_kl(kl, 0.0)) == pytest.approx(float(jnp.mean(jnp.sum(kl, 1))), rel=1e-6)
  assert float(vae_losses.free_bits_kl(kl, 10.0)) == pytest.approx(30.0, rel=1e-6)
  with pytest.raises(ValueError):
    vae_losses.free_bits_kl(kl[0], 0.5)
  with pytest.raises(ValueError):
    vae_losses.free_bits_kl(kl, -1.0)


def test_free_bits_gradient_is_zero_below_lambda():
  b = 4
  kl = jnp.array([[0.1, 2.0, 0.5], [0.2, 1.0, 0.5], [0.0, 3.0, 0.5], [0.1, 2.5, 0.5]])  # Means 0.1, 2.125, 0.5.
  grad = jax.jit(jax.grad(vae_losses.free_bits_kl))(kl, 0.5)
  assert np.all(np.asarray(grad[:, 0]) == 0.0)  # Below lambda: exactly zero.
  np.testing.assert_array_equal(grad[:, 1], 1.0 / b)  # Above: the plain batch-mean gradient.
  np.testing.assert_array_equal(grad[:, 2], 0.5 / b)  # Tie: jnp.maximum splits the gradient (documented).


# Schedules.


def test_echo_noise_variance_is_the_geometric_series():
  """S = s everywhere, f i.i.d. with variance sigma^2: Var eps = sigma^2 (1 - s^(2 d_max)) / (1 - s^2)."""
  b, d, d_max, s, sigma = 4096, 8, 50, 0.8, 1.5
  f = sigma * jax.random.normal(jax.random.key(1), (b, d))
  log_s = jnp.full((b, d), math.log(s))
  eps = echo_noise(f, log_s, jax.random.key(2), d_max)
  expected = sigma ** 2 * (1 - s ** (2 * d_max)) / (1 - s ** 2)
  assert float(jnp.var(eps)) == pytest.approx(expected, rel=0.05)
  assert abs(float(jnp.mean(eps))) < 0.1
  rate = vae_losses.echo_rate(log_s)
  assert rate.shape == (b,)
  np.testing.assert_allclose(rate, -d * math.log(s), rtol=1e-5)


def test_echo_noise_matches_the_series_with_a_shifted_permutation():
  """eps_i = sum_l prod_{j<l} s_{src_j(i)} f_{src_l(i)}, src_l(i) = l+1 places after i in the shuffle."""
  b, d, d_max = 6, 2, 4
  key = jax.random.key(3)
  f = np.asarray(jax.random.normal(jax.random.key(4), (b, d)), np.float64)
  log_s = np.asarray(vae_losses.echo_log_scale(jax.random.normal(jax.random.key(5), (b, d)), 0.9), np.float64)
  perm = np.asarray(jax.random.permutation(key, b))
  position = np.argsort(perm)
  expected = np.zeros((b, d))
  for i in range(b):
    prod = np.ones(d)
    for l in range(d_max):
      src = perm[(position[i] + l + 1) % b]
      assert src != i
      expected[i] += prod * f[src]
      prod = prod * np.exp(log_s[src])
  eps = echo_noise(jnp.array(f, jnp.float32), jnp.array(log_s, jnp.float32), key, d_max)
  np.testing.assert_allclose(eps, expected, rtol=1e-5, atol=1e-6)
  z = echo_sample(jnp.array(f, jnp.float32), jnp.array(log_s, jnp.float32), key, d_max)
  np.testing.assert_allclose(z, f + np.exp(log_s) * expected, rtol=1e-5, atol=1e-6)


def test_echo_noise_with_one_term_is_a_derangement_of_f():
  b, d = 16, 3
  f = jax.random.normal(jax.random.key(6), (b, d))
  eps = np.asarray(echo_noise(f, jnp.zeros((b, d)), jax.random.key(7), d_max=1))
  f = np.asarray(f)
  matches = [[j for j in range(b) if np.array_equal(eps[i], f[j])] for i in range(b)]
  assert all(len(m) == 1 for m in matches)  # Each row of eps is exactly one example's f ...
  sources = [m[0] for m in matches]
  assert sorted(sources) == list(range(b))  # ... every example is used once ...
  assert all(src != i for i, src in enumerate(sources))  # ... and never its own.


def test_echo_is_finite_for_tiny_and_maximal_scales():
  b, d, d_max, clip = 64, 4, 32, 0.85
  f = jnp.tanh(jax.random.normal(jax.random.key(8), (b, d)))
  for a in (-1e4, 1e4):
    log_s = vae_losses.echo_log_scale(jnp.full((b, d), a), clip)
    assert np.all(np.isfinite(log_s))
    z = echo_sample(f, log_s, jax.random.key(9), d_max)
    assert np.all(np.isfinite(z))
    assert np.all(np.isfinite(vae_losses.echo_rate(log_s)))
  # Tiny S: z = f; S at its maximum: log S = log(clip).
  tiny = vae_losses.echo_log_scale(jnp.full((b, d), -1e4), clip)
  np.testing.assert_allclose(echo_sample(f, tiny, jax.random.key(9), d_max), f, atol=1e-6)
  np.testing.assert_allclose(vae_losses.echo_log_scale(jnp.full((b, d), 1e4), clip), math.log(clip), rtol=1e-6)
  # Gradients through the series stay finite too.
  grad = jax.jit(jax.grad(lambda a: jnp.sum(vae_losses.echo_sample(f, vae_losses.echo_log_scale(a, clip),
                                                           jax.random.key(9), d_max))))(jnp.full((b, d), -1e4))
  assert np.all(np.isfinite(grad))


def test_echo_rejects_d_max_not_below_batch():
  f = jnp.zeros((8, 2))
  for d_max in (8, 9, 0):
    with pytest.raises(ValueError, match="d_max"):
      vae_losses.echo_noise(f, f, jax.random.key(0), d_max)
  with pytest.raises(ValueError, match="clip"):
    vae_losses.echo_log_scale(f, 1.5)


# Posterior-collapse diagnostics.


def test_active_units_finds_dead_dimensions():
  n = 100
  sign = np.where(np.arange(n) % 2 == 0, 1.0, -1.0)
  means = np.stack([
      np.full(n, 3.0),              # dead: constant
      0.03 * sign,                  # variance 9e-4 < 0.01: inactive
      sign,                         # variance 1: active
      np.zeros(n),                  # dead
      np.linspace(-1.0, 1.0, n),    # variance ~0.34: active
  ], axis=1).astype(np.float32)
  count, variances = vae_metrics.active_units(jnp.array(means))
  assert int(count) == 2 and count.dtype == jnp.int32
  assert np.flatnonzero(np.asarray(variances) > 0.01).tolist() == [2, 4]
  np.testing.assert_allclose(variances, means.var(0), rtol=1e-5, atol=1e-8)
  assert int(vae_metrics.active_units(jnp.array(means), threshold=1e-4)[0]) == 3


def test_mutual_information_limits():
  n, d = 64, 3
  key_z = jax.random.key(10)
  # Identical posteriors: z carries no information about x.
  mean, logvar = jnp.full((n, d), 0.5), jnp.full((n, d), -0.3)
  z = mean + jnp.exp(0.5 * logvar) * jax.random.normal(key_z, (n, d))
  assert abs(float(vae_metrics.mutual_information(mean, logvar, z, batch_size=24))) < 1e-5
  # Far apart and narrow: each z identifies its x, I = log N (the estimator's upper bound).
  mean = jnp.zeros((n, d)).at[:, 0].set(10.0 * jnp.arange(n))
  logvar = jnp.full((n, d), -10.0)
  z = mean + jnp.exp(0.5 * logvar) * jax.random.normal(key_z, (n, d))
  mi = float(vae_metrics.mutual_information(mean, logvar, z, batch_size=24))
  assert mi == pytest.approx(math.log(n), abs=1e-4)
  assert mi <= math.log(n) + 1e-5


def test_mutual_information_matches_brute_force():
  n, d = 64, 3  # batch_size 24 does not divide N (blocks of 24, 24 and a remainder of 16).
  k1, k2, k3 = jax.random.split(jax.random.key(11), 3)
  mean = jax.random.normal(k1, (n, d))
  logvar = 0.5 * jax.random.normal(k2, (n, d)) - 0.5
  z = mean + jnp.exp(0.5 * logvar) * jax.random.normal(k3, (n, d))
  m, lv, zz = (np.asarray(a, np.float64) for a in (mean, logvar, z))
  log_q = -0.5 * np.sum(math.log(2 * math.pi) + lv[None] + (zz[:, None] - m[None]) ** 2 / np.exp(lv[None]), -1)
  log_agg = np.log(np.mean(np.exp(log_q), axis=1))
  expected = np.mean(np.diag(log_q) - log_agg)
  assert float(vae_metrics.mutual_information(mean, logvar, z, batch_size=24)) == pytest.approx(expected, abs=1e-4)
  with pytest.raises(ValueError):
    vae_metrics.mutual_information(mean, logvar[:, :2], z)


def test_posterior_collapse_rule():
  nll_improving = [120.0, 110.0, 100.0, 95.0, 92.0, 91.0, 90.0, 90.0]
  kl_collapsed = [6.0, 4.0, 2.0, 1.0, 0.5, 0.2, 0.05, 0.02]  # T = 8, tail 0.25: the last 2 points.
  assert vae_metrics.posterior_collapse(kl_collapsed, nll_improving) is True
  assert vae_metrics.posterior_collapse(np.array(kl_collapsed), jnp.array(nll_improving)) is True
  kl_healthy = [6.0, 8.0, 9.0, 10.0, 10.5, 11.0, 11.0, 11.2]
  assert vae_metrics.posterior_collapse(kl_healthy, nll_improving) is False
  kl_late_dip = kl_collapsed[:-2] + [0.2, 0.05]  # One tail point above the threshold.
  assert vae_metrics.posterior_collapse(kl_late_dip, nll_improving) is False
  assert vae_metrics.posterior_collapse(kl_late_dip, nll_improving, tail=0.1) is True  # k = 1.
  nll_flat = [100.0] * 8  # Nothing learned at all: not called collapse.
  assert vae_metrics.posterior_collapse(kl_collapsed, nll_flat) is False
  with pytest.raises(ValueError, match="same length"):
    vae_metrics.posterior_collapse(kl_collapsed, nll_improving[:-1])
  with pytest.raises(ValueError, match="at least 2"):
    vae_metrics.posterior_collapse([0.0], [1.0])
