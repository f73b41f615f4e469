"""The `step -> value` schedules: KL annealing (constant, linear, sigmoid, cyclical), temperature, `make`."""

import math

import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import pytest

from jaxgen import schedules


def test_constant_and_linear_warmup():
  assert float(schedules.constant(0.7)(12345)) == pytest.approx(0.7)
  lin = schedules.linear_warmup(2.0, warmup_steps=100, start_value=0.5)
  np.testing.assert_allclose([lin(t) for t in (0, 50, 100, 1000, -5)], [0.5, 1.25, 2.0, 2.0, 0.5], rtol=1e-6)
  assert float(schedules.linear_warmup(1.0, 0)(0)) == 1.0  # No warm-up: the max from the start.


def test_sigmoid_schedule():
  sig = schedules.sigmoid(2.0, midpoint=100, steepness=0.05)
  assert float(sig(100)) == pytest.approx(1.0)
  assert float(sig(0)) == pytest.approx(2.0 / (1.0 + math.exp(5.0)), rel=1e-5)
  assert float(sig(100 + math.log(99) / 0.05)) == pytest.approx(2.0 * 0.99, rel=1e-5)
  assert float(sig(10_000)) == pytest.approx(2.0)


def test_cyclical_schedule():
  cyc = schedules.cyclical(1.0, total_steps=1000, num_cycles=4, ratio=0.5)  # T = 250, ramp 125 steps.
  steps = [0, 50, 125, 200, 249, 250, 300, 375, 750, 999, 1000, 5000]
  expected = [0.0, 0.4, 1.0, 1.0, 1.0, 0.0, 0.4, 1.0, 0.0, 1.0, 1.0, 1.0]
  np.testing.assert_allclose([float(cyc(t)) for t in steps], expected, atol=1e-6)
  full = schedules.cyclical(3.0, total_steps=90, num_cycles=3, ratio=1.0)  # Ramp the whole cycle.
  np.testing.assert_allclose([float(full(t)) for t in (0, 15, 30, 45, 89, 90)], [0, 1.5, 0, 1.5, 2.9, 3.0],
                             rtol=1e-5, atol=1e-6)
  good = {"max_value": 1.0, "total_steps": 100, "num_cycles": 2, "ratio": 0.5}
  for bad in ({"ratio": 0.0}, {"ratio": 1.5}, {"num_cycles": 0}, {"total_steps": 0}):
    with pytest.raises(ValueError):
      schedules.cyclical(**{**good, **bad})


def test_temperature_schedule():
  temp = schedules.temperature(2.0, 1.0, decay_steps=100)
  np.testing.assert_allclose([temp(t) for t in (0, 50, 100, 400)], [2.0, math.sqrt(2.0), 1.0, 1.0], rtol=1e-6)
  with pytest.raises(ValueError):
    schedules.temperature(0.0, 1.0, 10)


def test_schedules_under_jit_with_traced_steps():
  fns = {
      "constant": schedules.constant(0.3),
      "linear": schedules.linear_warmup(1.0, 10),
      "sigmoid": schedules.sigmoid(1.0, 5, 1.0),
      "cyclical": schedules.cyclical(1.0, 40, 2, 0.5),
      "temperature": schedules.temperature(2.0, 1.0, 10),
  }
  for name, fn in fns.items():
    jitted = jax.jit(fn)
    for step in (0, 5, 10, 20, 25, 100):
      for dtype in (jnp.int32, jnp.float32):
        value = jitted(jnp.asarray(step, dtype))
        assert value.dtype == jnp.float32 and value.shape == (), name
        assert float(value) == pytest.approx(float(fn(step)), rel=1e-6, abs=1e-7), (name, step)
  # Inside lax.scan, the way the engine fuses steps.
  _, values = jax.lax.scan(lambda c, t: (c, fns["cyclical"](t)), None, jnp.arange(40))
  assert float(values[0]) == 0.0 and float(values[10]) == 1.0 and float(values[20]) == 0.0


def test_make_builds_each_kind_from_one_flat_section():
  spec = ml_collections.ConfigDict({"kind": "constant", "max_value": 1.0, "warmup_steps": 10, "midpoint": 50.0,
                                    "steepness": 0.1, "num_cycles": 2, "ratio": 0.5})
  assert float(schedules.make(spec, 100)(7)) == 1.0
  spec.kind = "linear"
  assert float(schedules.make(spec, 100)(5)) == pytest.approx(0.5)
  spec.kind = "sigmoid"
  assert float(schedules.make(spec, 100)(50)) == pytest.approx(0.5)
  spec.kind = "cyclical"
  cyc = schedules.make(spec, 100)  # T = 50.
  assert [float(cyc(t)) for t in (0, 25, 50, 100)] == [0.0, 1.0, 0.0, 1.0]
  assert set(schedules.SCHEDULE_KINDS) == {"constant", "linear", "sigmoid", "cyclical"}


def test_make_rejects_bad_specs():
  with pytest.raises(ValueError, match="constant, linear, sigmoid, cyclical"):
    schedules.make({"kind": "cosine", "max_value": 1.0}, 100)
  with pytest.raises(ValueError, match="warmup_steps"):
    schedules.make({"kind": "linear", "max_value": 1.0}, 100)
  with pytest.raises(ValueError, match="warmup_step"):  # A typo is an error, not ignored.
    schedules.make({"kind": "linear", "max_value": 1.0, "warmup_steps": 5, "warmup_step": 10}, 100)


# Echo noise.
