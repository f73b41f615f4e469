"""Latent geometry: GAN inversion and minimum-energy paths, against linear generators' closed forms."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jaxgen.analysis import inversion
from jaxgen.analysis import paths
from jaxgen.losses import latent_paths
from jaxgen.metrics import path_length

# A full-column-rank linear generator R^3 -> R^5, G(z) = A z.
A = jnp.array([[1.0, 0.5, 0.0], [0.0, 1.0, -1.0], [2.0, 0.0, 1.0], [0.0, 0.3, 0.2], [1.0, 1.0, 1.0]])
linear = lambda z: z @ A.T


@pytest.fixture(scope="module")
def recovered():
  """Two images of known codes, inverted from 4 random starts each (one jitted program)."""
  z_true = jnp.array([[0.5, -1.0, 2.0], [-1.5, 0.3, 0.7]])
  z0 = jax.random.normal(jax.random.key(0), (2, 4, 3))
  run = jax.jit(lambda x, z0: inversion.invert(linear, x, z0, steps=1500, learning_rate=0.05))
  return z_true, run(linear(z_true), z0)


def test_inversion_recovers_the_code_of_a_linear_generator_from_every_start(recovered):
  z_true, out = recovered
  np.testing.assert_allclose(out.z, jnp.broadcast_to(z_true[:, None], (2, 4, 3)), atol=1e-4)
  assert out.errors.shape == (2, 4) and float(out.errors.max()) < 1e-8
  assert out.history.shape == (1500, 2, 4)
  assert np.all(np.asarray(out.history[0]) > 1e-2)  # The starts were far; the history says so.
  # One minimum per image: all starts end within the tolerance of each other.
  assert [int(inversion.distinct_minima(z, 0.1 * np.sqrt(3))) for z in out.z] == [1, 1]


def test_inversion_prior_and_shell_change_the_solution_as_they_claim():
  x = linear(jnp.array([[2.0, 2.0, 2.0]]))
  z0 = jnp.zeros((1, 1, 3)) + 0.1
  # Prior: the minimiser of ||Az - x||^2 / 5 + lam ||z||^2 is (A^T A / 5 + lam I)^-1 A^T x / 5 (ridge regression).
  lam = 0.5
  out = inversion.invert(linear, x, z0, steps=3000, learning_rate=0.02, prior_weight=lam)
  ridge = jnp.linalg.solve(A.T @ A / 5 + lam * jnp.eye(3), A.T @ x[0] / 5)
  np.testing.assert_allclose(out.z[0, 0], ridge, atol=1e-4)
  # Shell: every iterate, the final codes included, has norm sqrt(d).
  out = inversion.invert(linear, x, z0, steps=50, shell=True)
  np.testing.assert_allclose(jnp.linalg.norm(out.z, axis=-1), np.sqrt(3), rtol=1e-6)


def test_distinct_minima_links_chains_and_separates_far_codes():
  z = jnp.array([[0.0, 0.0], [0.05, 0.0], [0.1, 0.0], [0.15, 0.0], [3.0, 0.0], [3.0, 3.0], [3.02, 3.0]])
  assert int(inversion.distinct_minima(z, 0.06)) == 3  # The chain of four is one cluster.
  assert int(inversion.distinct_minima(z, 0.01)) == 7
  assert int(inversion.distinct_minima(z, 10.0)) == 1
  dz, dx = inversion.pairwise_distances(z[:3], linear(jnp.pad(z[:3], ((0, 0), (0, 1)))))
  np.testing.assert_allclose(dz, [0.05, 0.1, 0.05], rtol=1e-6)
  np.testing.assert_allclose(dx, np.asarray(dz) * np.linalg.norm(A[:, 0]), rtol=1e-5)


def test_path_energy_of_a_straight_path_equals_the_closed_form_for_a_linear_generator():
  za, zb = jnp.array([0.2, -0.4, 1.0]), jnp.array([1.0, 0.5, -0.3])
  xa, xb = jnp.arange(5.0) / 5, jnp.ones(5)
  # f(t) = ||r_a + t v||^2 + ||r_b + t v||^2 with r = A za - x, v = A (zb - za); U = L * int_0^1 f.
  ra, rb, v = A @ za - xa, A @ za - xb, A @ (zb - za)
  closed = jnp.linalg.norm(zb - za) * (ra @ ra + rb @ rb + v @ (ra + rb) + 2.0 / 3.0 * (v @ v))
  energy = paths.path_energy(linear, paths.straight_path(za, zb, 2001), xa, xb)
  np.testing.assert_allclose(energy, closed, rtol=1e-5)
  # The integral is over arc length: bunching the points does not change it.
  t = jnp.linspace(0.0, 1.0, 2001)[:, None] ** 3
  np.testing.assert_allclose(paths.path_energy(linear, za + t * (zb - za), xa, xb), closed, rtol=1e-4)


def test_resample_spaces_points_evenly_on_the_same_polygon_and_slerp_keeps_the_norm():
  path = jnp.array([[0.0, 0.0], [1.0, 0.0], [1.0, 0.0], [1.0, 3.0]])  # Length 4, one zero-length segment.
  out = paths.resample(path, 5)
  np.testing.assert_allclose(out, [[0, 0], [1, 0], [1, 1], [1, 2], [1, 3]], atol=1e-6)
  za, zb = jnp.array([2.0, 0.0, 0.0]), jnp.array([0.0, 0.0, 2.0])
  arc = paths.slerp_path(za, zb, 9)
  np.testing.assert_allclose(jnp.linalg.norm(arc, axis=-1), 2.0, rtol=1e-6)
  np.testing.assert_allclose(arc[4], [np.sqrt(2), 0.0, np.sqrt(2)], rtol=1e-6)
  np.testing.assert_allclose(paths.slerp_path(za, 3 * za, 3), paths.straight_path(za, 3 * za, 3), atol=1e-6)


def test_optimize_path_keeps_the_ends_lowers_the_fine_energy_and_never_returns_a_worse_path():
  # G(z) = (z1, z2, 5 exp(-|z|^2 / 0.18)): a bump in the third pixel that the straight path crosses and that
  # neither target has (U ~ 32 through it, against 5.3 without it); a detour around it costs far less.
  curved = lambda z: jnp.concatenate([z, 5.0 * jnp.exp(-jnp.sum(z * z, -1, keepdims=True) / 0.18)], -1)
  za, zb = jnp.array([-1.0, 0.1]), jnp.array([1.0, 0.1])
  xa, xb = curved(za[None])[0], curved(zb[None])[0]
  start = paths.straight_path(za, zb, 17)
  run = jax.jit(lambda p: paths.optimize_path(curved, xa, xb, p, steps=200, learning_rate=0.02, resample_every=10))
  out = run(start)
  np.testing.assert_array_equal(out.path[0], za)
  np.testing.assert_array_equal(out.path[-1], zb)
  fine = lambda p: float(paths.path_energy(curved, paths.resample(p, 65), xa, xb))
  assert out.history[0] == pytest.approx(fine(start), rel=1e-5)
  assert float(out.energy) == pytest.approx(fine(out.path), rel=1e-5)
  assert float(out.energy) == pytest.approx(float(out.history.min()), rel=1e-6)
  assert float(out.energy) < 0.5 * fine(start)
  # A start that is already optimal for a linear generator is never made worse.
  lin_xa, lin_xb = linear(jnp.zeros((1, 3)))[0], linear(jnp.ones((1, 3)))[0]
  straight = paths.straight_path(jnp.zeros(3), jnp.ones(3), 9)
  out = paths.optimize_path(linear, lin_xa, lin_xb, straight, steps=40, learning_rate=0.05, resample_every=10)
  assert float(out.energy) <= float(out.history[0]) + 1e-6


def test_path_length_penalty_equals_the_hand_computed_value_for_a_linear_generator():
  """StyleGAN2, Eq. 4: J = A for G(z) = A z, so ||J^T y|| = ||A^T y|| with y ~ N(0, I) / sqrt(HW)."""
  z = jax.random.normal(jax.random.key(0), (6, 3))
  key, a = jax.random.key(1), 0.7
  penalty, lengths = latent_paths.path_length_penalty(linear, z, key, a)
  y = jax.random.normal(key, (6, 5)) / np.sqrt(5)  # The same draw: points [B, D] count D pixels.
  by_hand = np.linalg.norm(np.asarray(y) @ np.asarray(A), axis=-1)
  np.testing.assert_allclose(lengths, by_hand, rtol=1e-5)
  np.testing.assert_allclose(penalty, np.mean((by_hand - a) ** 2), rtol=1e-5)
  # Images [B, H, W, C]: y is scaled by sqrt(H W), channels not counted.
  images = lambda z: jnp.tile(linear(z)[:, :4, None, None], (1, 1, 3, 2))  # [B, 4, 3, 2]
  _, lengths = latent_paths.path_length_penalty(images, z, key, 0.0)
  y = jax.random.normal(key, (6, 4, 3, 2)) / np.sqrt(12)
  np.testing.assert_allclose(lengths, np.linalg.norm(np.asarray(y.sum((2, 3))) @ np.asarray(A[:4]), axis=-1),
                             rtol=1e-5)


def test_perceptual_path_length_of_a_linear_generator_is_the_closed_form():
  """With straight lines and pixel distance, each sample is ||A (z2 - z1)||^2, whose mean over z ~ N(0, I)
  is 2 ||A||_F^2 (Karras et al., 2019, Sec. 3, with lerp and no feature network)."""
  samples = path_length.path_length_samples(linear, jax.random.key(0), 20_000, 3, interpolation="lerp")
  closed = 2.0 * float(jnp.sum(A * A))
  se = float(jnp.std(samples)) / np.sqrt(samples.shape[0])
  assert abs(float(path_length.perceptual_path_length(samples, trim=0.0)) - closed) < 4 * se
  # Trimming the tails lowers the mean of this right-skewed distribution; slerp keeps the scale.
  assert float(path_length.perceptual_path_length(samples)) < closed
  slerped = path_length.path_length_samples(linear, jax.random.key(0), 20_000, 3)
  assert 0.3 * closed < float(path_length.perceptual_path_length(slerped, trim=0.0)) < 3 * closed
  with pytest.raises(ValueError, match="interpolation"):
    path_length.path_length_samples(linear, jax.random.key(0), 4, 3, interpolation="cubic")
