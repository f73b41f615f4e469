"""2-D mixtures and the VEEGAN/PacGAN mode metrics on hand-built and real samples."""

import itertools

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jaxgen.data import mixtures
from jaxgen.metrics import modes


def test_ring_means_are_eight_distinct_points_on_the_unit_circle():
  means = mixtures.ring().means
  assert means.shape == (8, 2)
  np.testing.assert_allclose(np.linalg.norm(means, axis=1), 1.0, rtol=1e-6)
  gaps = [np.linalg.norm(a - b) for a, b in itertools.combinations(means, 2)]
  np.testing.assert_allclose(min(gaps), 2 * np.sin(np.pi / 8), rtol=1e-5)  # Neighbours 45 degrees apart.


def test_grid_means_are_the_25_points_of_the_lattice():
  means = mixtures.grid().means
  assert sorted(map(tuple, means.tolist())) == sorted(itertools.product([-4.0, -2.0, 0.0, 2.0, 4.0], repeat=2))


@pytest.mark.parametrize("mixture", [mixtures.ring(), mixtures.grid()])
def test_points_at_every_mean_capture_every_mode_with_zero_kl(mixture):
  samples = jnp.tile(jnp.asarray(mixture.means), (3, 1))
  out = modes.mixture_coverage(samples, mixture.means, mixture.std)
  assert float(out["modes_captured"]) == len(mixture.means)
  assert float(out["high_quality"]) == 1.0
  assert abs(float(out["kl"])) < 1e-6


def test_a_collapsed_generator_captures_one_mode_with_kl_log_k():
  ring = mixtures.ring()
  samples = ring.means[3] + 0.5 * ring.std * jax.random.normal(jax.random.key(0), (2500, 2))
  out = modes.mixture_coverage(samples, ring.means, ring.std)
  assert float(out["modes_captured"]) == 1.0
  assert float(out["high_quality"]) == 1.0  # All within 3 std (0.5 std noise).
  np.testing.assert_allclose(float(out["kl"]), np.log(8), rtol=1e-6)


def test_off_mode_points_are_low_quality_and_capture_nothing():
  grid = mixtures.grid()
  off = jnp.asarray(grid.means) + 1.0  # Halfway between lattice points: 1.41 from the nearest mean, 28 std.
  out = modes.mixture_coverage(off, grid.means, grid.std)
  assert float(out["modes_captured"]) == 0.0 and float(out["high_quality"]) == 0.0
  assert np.isinf(float(out["kl"]))
  # Half of them moved onto means 0 and 1: two modes, 50% high quality, KL = log(25 / 2).
  mixed = off.at[0].set(grid.means[0]).at[1].set(grid.means[1])
  out = modes.mixture_coverage(mixed[:4], grid.means, grid.std)
  assert float(out["modes_captured"]) == 2.0 and float(out["high_quality"]) == 0.5
  np.testing.assert_allclose(float(out["kl"]), np.log(25 / 2), rtol=1e-6)


def test_the_3_std_threshold_is_inclusive_and_scales_with_std():
  means = jnp.zeros((1, 2))
  inside, outside = jnp.array([[0.0299, 0.0]]), jnp.array([[0.0301, 0.0]])
  assert float(modes.mixture_coverage(inside, means, 0.01)["high_quality"]) == 1.0
  assert float(modes.mixture_coverage(outside, means, 0.01)["high_quality"]) == 0.0


@pytest.mark.parametrize("mixture", [mixtures.ring(), mixtures.grid()])
def test_real_data_scores_like_the_analytic_rates(mixture):
  """Real samples: every mode, KL ~ sampling noise, high quality = P(|N(0, s^2 I_2)| <= 3s) = 1 - exp(-9/2)."""
  samples = mixtures.sample(mixture, jax.random.key(1), 100_000)
  out = jax.jit(modes.mixture_coverage, static_argnums=2)(samples, mixture.means, mixture.std)
  assert float(out["modes_captured"]) == len(mixture.means)
  np.testing.assert_allclose(float(out["high_quality"]), 1 - np.exp(-4.5), atol=0.002)
  assert float(out["kl"]) < 0.002  # (K - 1) / (2 N) on average.
