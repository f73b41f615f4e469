"""`jaxgen.losses.diffusion` against closed forms, and the DDPM method (`jaxgen.methods.ddpm`) end to end."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from configs import ring_ddpm
from jaxgen import methods
from jaxgen.data.real import make_real
from jaxgen.losses import diffusion

SCHEDULE = diffusion.make_schedule(diffusion.linear_betas(1000))


def gaussian_eps_fn(mu: float, s: float, schedule: diffusion.Schedule):
  """The exact E[eps | x_t] for 1-D data N(mu, s^2): x_t ~ N(sqrt(a) mu, a s^2 + 1 - a), a = alpha_bar_t,
  and eps, x_t jointly Gaussian with Cov(eps, x_t) = sqrt(1 - a)."""
  def eps_fn(xt, t):
    a = schedule.alpha_bar[t][:, None]
    return jnp.sqrt(1 - a) * (xt - jnp.sqrt(a) * mu) / (a * s**2 + 1 - a)
  return eps_fn


@pytest.mark.parametrize("betas", [diffusion.linear_betas, diffusion.cosine_betas])
def test_the_forward_chain_run_step_by_step_has_the_closed_form_marginal(betas):
  schedule = diffusion.make_schedule(betas(1000))
  x0 = jnp.full((50_000, 1), 1.5)
  x, keys = x0, jax.random.split(jax.random.key(0), 300)
  for k, key in enumerate(keys):
    x = diffusion.q_step(schedule, x, jnp.full((x.shape[0],), k), jax.random.normal(key, x.shape))
    if k + 1 in (10, 100, 300):
      a = float(schedule.alpha_bar[k])
      mean, var = float(x.mean()), float(x.var())
      assert abs(mean - np.sqrt(a) * 1.5) < 4 * np.sqrt((1 - a) / x.shape[0])  # 4 standard errors.
      assert abs(var - (1 - a)) < 4 * (1 - a) * np.sqrt(2 / x.shape[0])
      closed = diffusion.q_sample(schedule, x0, jnp.full((x.shape[0],), k), jax.random.normal(key, x.shape))
      assert abs(float(closed.var()) - var) < 8 * (1 - a) * np.sqrt(2 / x.shape[0])


def test_q_posterior_is_bayes_rule_of_the_two_gaussians():
  # q(x_{t-1} | x_t, x_0) ∝ N(x_t; sqrt(alpha_t) x_{t-1}, beta_t) N(x_{t-1}; sqrt(abar_{t-1}) x_0, 1 - abar_{t-1}):
  # precisions add, and the mean is the precision-weighted sum.
  x0, xt, t = jnp.array([[0.7], [-1.2]]), jnp.array([[0.3], [2.0]]), jnp.array([5, 500])
  mean, var = diffusion.q_posterior(SCHEDULE, x0, xt, t)
  alpha, beta, prev = SCHEDULE.alphas[t][:, None], SCHEDULE.betas[t][:, None], SCHEDULE.alpha_bar_prev[t][:, None]
  precision = alpha / beta + 1 / (1 - prev)
  np.testing.assert_allclose(var, 1 / precision, rtol=1e-4)
  np.testing.assert_allclose(mean, (jnp.sqrt(alpha) * xt / beta + jnp.sqrt(prev) * x0 / (1 - prev)) / precision,
                             rtol=1e-4)
  # By hand, Ho et al. Eq. 7 with betas 0.1, 0.2 at t = 2: alpha_bar 0.72, alpha_bar_prev 0.9; x_0 = 1, x_t = 2:
  # mean = sqrt(0.9) 0.2 / 0.28 + sqrt(0.8) 0.1 / 0.28 * 2 = 0.677631 + 0.638877, variance = 0.1 / 0.28 * 0.2.
  mean, var = diffusion.q_posterior(diffusion.make_schedule(jnp.array([0.1, 0.2])), jnp.ones((1, 1)),
                                    jnp.full((1, 1), 2.0), jnp.array([1]))
  np.testing.assert_allclose([float(mean[0, 0]), float(var[0, 0])], [1.316508, 0.0714286], rtol=1e-5)


def test_alpha_bar_of_both_schedules_against_hand_computed_values():
  # Linear 0.1, 0.2, 0.3, 0.4: alpha_bar = 0.9, 0.9 * 0.8, 0.72 * 0.7, 0.504 * 0.6.
  linear = diffusion.make_schedule(diffusion.linear_betas(4, 0.1, 0.4))
  np.testing.assert_allclose(linear.alpha_bar, [0.9, 0.72, 0.504, 0.3024], rtol=1e-6)
  np.testing.assert_allclose(linear.alpha_bar_prev, [1.0, 0.9, 0.72, 0.504], rtol=1e-6)
  # Cosine with s = 0, T = 2: f = cos^2(t pi / 4) is 1, 1/2, 0, so beta = 1/2, then 1 clipped to 0.999.
  cosine = diffusion.make_schedule(diffusion.cosine_betas(2, s=0.0))
  np.testing.assert_allclose(cosine.alpha_bar, [0.5, 0.5 * 0.001], rtol=1e-4)  # 1 - 0.999 in float32.


def test_one_reverse_step_with_the_true_noise_recovers_x0_at_t_1():
  schedule = diffusion.make_schedule(jnp.array([0.3]))  # T = 1.
  x0, noise = jnp.array([[0.25, -0.5]]), jnp.array([[1.3, 0.4]])
  x1 = diffusion.q_sample(schedule, x0, jnp.array([0]), noise)
  for sample in (lambda f: diffusion.ddpm_sample(f, schedule, x1, jax.random.key(0)),
                 lambda f: diffusion.ddim_sample(f, schedule, x1, jax.random.key(0), 1, eta=1.0)):
    np.testing.assert_allclose(sample(lambda xt, t: noise), x0, atol=1e-6)


def test_cosine_alpha_bar_is_the_squared_cosine_and_betas_are_clipped():
  schedule = diffusion.make_schedule(diffusion.cosine_betas(1000))
  t = np.arange(1, 1001) / 1000
  f = lambda t: np.cos((t + 0.008) / 1.008 * np.pi / 2) ** 2
  np.testing.assert_allclose(schedule.alpha_bar[:900], (f(t) / f(0))[:900], rtol=2e-4, atol=1e-6)
  assert float(schedule.betas.max()) == pytest.approx(0.999)
  assert float(diffusion.linear_betas(1000)[-1]) == pytest.approx(0.02)


def test_x0_and_eps_are_recovered_from_x_t_for_both_parameterisations():
  x0, noise = jax.random.normal(jax.random.key(1), (2, 4, 4, 1)), jax.random.normal(jax.random.key(2), (2, 4, 4, 1))
  t = jnp.array([3, 700])
  xt = diffusion.q_sample(SCHEDULE, x0, t, noise)
  a = SCHEDULE.alpha_bar[t][:, None, None, None]
  np.testing.assert_allclose(diffusion.predict_x0(a, xt, noise), x0, atol=2e-4)
  np.testing.assert_allclose(diffusion.eps_from_v(a, xt, diffusion.v_target(a, x0, noise)), noise, atol=1e-5)


def test_the_loss_is_zero_for_the_exact_predictor_of_its_own_target_only():
  # One data point c: eps is a function of x_t, eps = (x_t - sqrt(a) c) / sqrt(1 - a), and v = sqrt(a) eps - sqrt(1 - a) c.
  c = jnp.full((64, 2), 0.5)
  a_of = lambda t: SCHEDULE.alpha_bar[t][:, None]
  eps = lambda xt, t: (xt - jnp.sqrt(a_of(t)) * c) / jnp.sqrt(1 - a_of(t))
  v = lambda xt, t: jnp.sqrt(a_of(t)) * eps(xt, t) - jnp.sqrt(1 - a_of(t)) * c
  key = jax.random.key(3)
  assert float(diffusion.diffusion_loss(eps, SCHEDULE, c, key).max()) < 1e-6
  assert float(diffusion.diffusion_loss(v, SCHEDULE, c, key, prediction="v").max()) < 1e-6
  assert float(diffusion.diffusion_loss(eps, SCHEDULE, c, key, prediction="v").mean()) > 0.05
  zero = diffusion.diffusion_loss(lambda xt, t: jnp.zeros_like(xt), SCHEDULE, jnp.zeros((4096, 2)), key)
  assert float(zero.mean()) == pytest.approx(1.0, abs=0.05)  # E ||eps||^2 / d.
  with pytest.raises(ValueError, match="prediction"):
    diffusion.diffusion_loss(eps, SCHEDULE, c, key, prediction="x0")


# Few-step DDIM is a coarse discretisation of the reverse process: on this Gaussian its samples' std is 0.47
# after 50 steps (either eta), 0.49 after 250, 0.494 after 1,000 (eta 0).
@pytest.mark.parametrize("sampler", ["ddpm", "ddim eta 0, 250 steps", "ddim eta 1, 250 steps"])
def test_samplers_with_the_exact_noise_predictor_draw_the_data_distribution(sampler):
  mu, s, n = 1.0, 0.5, 8000
  eps_fn, x_T = gaussian_eps_fn(mu, s, SCHEDULE), jax.random.normal(jax.random.key(4), (n, 1))
  if sampler == "ddpm":
    x = diffusion.ddpm_sample(eps_fn, SCHEDULE, x_T, jax.random.key(5))
  else:
    eta, steps = (0.0 if "eta 0" in sampler else 1.0), 250
    x = diffusion.ddim_sample(eps_fn, SCHEDULE, x_T, jax.random.key(5), steps, eta)
  assert float(x.mean()) == pytest.approx(mu, abs=4 * s / np.sqrt(n))
  assert float(x.std()) == pytest.approx(s, rel=0.05)


def test_ddim_with_eta_1_over_all_steps_is_ddpm_with_the_posterior_variance():
  eps_fn = gaussian_eps_fn(0.3, 0.8, SCHEDULE)
  x_T, key = jax.random.normal(jax.random.key(6), (16, 1)), jax.random.key(7)
  ddpm = diffusion.ddpm_sample(eps_fn, SCHEDULE, x_T, key, variance="posterior")
  np.testing.assert_allclose(diffusion.ddim_sample(eps_fn, SCHEDULE, x_T, key, 1000, eta=1.0), ddpm, atol=2e-4)
  assert not np.allclose(diffusion.ddpm_sample(eps_fn, SCHEDULE, x_T, key, variance="beta"), ddpm, atol=2e-4)
  with pytest.raises(ValueError, match="num_steps"):
    diffusion.ddim_sample(eps_fn, SCHEDULE, x_T, key, 1001)


def test_ddim_with_eta_0_is_deterministic_given_the_start_noise():
  eps_fn = gaussian_eps_fn(0.3, 0.8, SCHEDULE)
  x_T = jax.random.normal(jax.random.key(6), (16, 1))
  a, b = (diffusion.ddim_sample(eps_fn, SCHEDULE, x_T, jax.random.key(k), 20, eta=e) for k, e in ((0, 0.0), (1, 0.0)))
  np.testing.assert_array_equal(a, b)
  assert not np.allclose(a, diffusion.ddim_sample(eps_fn, SCHEDULE, x_T, jax.random.key(1), 20, eta=0.5))


@pytest.fixture(scope="module")
def ring_method():
  config = ring_ddpm.get_config("smoke")
  config.model.widths = (64, 64)
  config.method.batch_size, config.method.ema_decay = 128, 0.9
  return config, methods.build(config, make_real(config.data))


def test_ddpm_training_lowers_the_loss_and_keeps_the_ema(ring_method):
  config, method = ring_method
  step = jax.jit(method.step)
  state = method.init(jax.random.key(0))
  first, _ = step(state, jax.random.key(1))
  # First step: decay min(0.9, (1 + 0) / (10 + 0)) = 0.1, so ema = 0.1 init + 0.9 new params.
  expected = jax.tree.map(lambda old, new: 0.1 * old + 0.9 * new, state.ema_params, first.params)
  jax.tree.map(lambda a, b: np.testing.assert_allclose(a, b, atol=1e-7), first.ema_params, expected)
  losses = []
  for i in range(400):
    state, metrics = step(state, jax.random.key(i))
    losses.append(float(metrics["loss"]))
  assert np.mean(losses[:10]) > 0.9  # The zero-initialised output predicts eps = 0: loss E eps^2 = 1.
  assert np.mean(losses[-50:]) < np.mean(losses[:10]) - 0.15
  samples = method.sample(state, jax.random.key(9), 256)
  assert samples.shape == (256, 2) and np.isfinite(samples).all()
  assert methods.has_capability(method, "denoiser")


def test_ddpm_refuses_unknown_settings_by_name():
  config = ring_ddpm.get_config("smoke")
  config.method.schedule, config.method.sampler, config.method.sample_steps = "quadratic", "euler", 10_000
  with pytest.raises(ValueError, match="method.schedule.*method.sampler.*method.sample_steps"):
    methods.build(config, make_real(config.data))


def test_the_studys_exact_density_of_x_t_is_a_normalised_mixture_that_forgets_the_data():
  from jaxgen.studies import diffusion as study  # pylint: disable=g-import-not-at-top
  x0, grid = np.array([-4.0, 0.0, 4.0]), np.linspace(-10, 10, 4001)
  for t in (1, 200, 1000):
    assert np.trapezoid(study.exact_density(SCHEDULE, x0, t, grid), grid) == pytest.approx(1.0, abs=1e-4)
  a = float(SCHEDULE.alpha_bar[0])  # After one step: three spikes of variance beta_1 at sqrt(alpha_bar_1) x0.
  peak = study.exact_density(SCHEDULE, x0, 1, np.array([np.sqrt(a) * 4.0]))[0]
  assert peak == pytest.approx(1 / 3 / np.sqrt(2 * np.pi * (1 - a)), rel=1e-6)
  np.testing.assert_allclose(study.exact_density(SCHEDULE, x0, 1000, grid[::100]),
                             np.exp(-grid[::100] ** 2 / 2) / np.sqrt(2 * np.pi), atol=1e-3)


def test_clip_x0_keeps_a_wrong_predictor_in_the_data_range_and_leaves_a_right_one_alone():
  x_T = jax.random.normal(jax.random.key(8), (64, 1))
  wrong = lambda xt, t: jnp.full_like(xt, -3.0)  # x0_hat far outside [-1, 1] at every step.
  free = diffusion.ddim_sample(wrong, SCHEDULE, x_T, jax.random.key(0), 10)
  clipped = diffusion.ddim_sample(wrong, SCHEDULE, x_T, jax.random.key(0), 10, clip_x0=True)
  assert float(jnp.abs(free).max()) > 2.0 and float(jnp.abs(clipped).max()) <= 1.0
  eps_fn = gaussian_eps_fn(0.0, 0.1, SCHEDULE)  # Data well inside [-1, 1]: clipping changes little.
  a, b = (diffusion.ddim_sample(eps_fn, SCHEDULE, x_T, jax.random.key(0), 50, clip_x0=c) for c in (False, True))
  assert float(jnp.abs(a - b).max()) < 0.05
