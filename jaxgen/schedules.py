"""Pure `step -> value` schedules: KL annealing (beta), temperature.

Every schedule is a function of the step (python int, or an int32 / float
array scalar, possibly traced inside `jax.jit` or `lax.scan`) returning a
float32 array scalar. They are elementwise, so an array of steps gives an
array of values (handy for plots). Where optax has the schedule it is used
(`optax.constant_schedule`, `optax.linear_schedule`,
`optax.exponential_decay`); the KL-annealing shapes optax lacks are written
here.

`make(spec, total_steps)` builds a KL-weight schedule from a config section;
`SCHEDULE_KINDS` lists the kinds it knows.

References:
  Bowman, Vilnis, Vinyals, Dai, Jozefowicz & Bengio (2016), "Generating
    Sentences from a Continuous Space", CoNLL, Sec. 3.1 (KL cost annealing,
    a logistic weight schedule, Fig. 2).
  Fu, Li, Liu, Gao, Celikyilmaz & Carin (2019), "Cyclical Annealing Schedule:
    A Simple Approach to Mitigating KL Vanishing", NAACL, Sec. 3, Eqs. (6)-(7).
"""

from collections.abc import Callable, Mapping
from typing import Any

import jax
import jax.numpy as jnp
import optax

Schedule = Callable[[Any], jax.Array]

SCHEDULE_KINDS = ("constant", "linear", "sigmoid", "cyclical")

# The fields `make` reads, by kind; a spec may hold the fields of every kind.
_FIELDS = {
    "constant": ("max_value",),
    "linear": ("max_value", "warmup_steps"),
    "sigmoid": ("max_value", "midpoint", "steepness"),
    "cyclical": ("max_value", "num_cycles", "ratio"),
}
_KNOWN_KEYS = frozenset({"kind"}.union(*_FIELDS.values()))


def _float32(schedule: Callable[[Any], Any]) -> Schedule:
  """Wraps an optax schedule so that it returns float32 with the shape of the step."""
  def wrapped(step):
    step = jnp.asarray(step)
    return jnp.broadcast_to(jnp.asarray(schedule(step), jnp.float32), step.shape)
  return wrapped


def constant(value: float) -> Schedule:
  """A constant schedule (`optax.constant_schedule`), e.g. a fixed KL weight beta.

  Args:
    value: the value at every step.

  Returns:
    step -> float32 `value`.

  Example:
    >>> float(constant(0.5)(1000))
    0.5
  """
  return _float32(optax.constant_schedule(value))


def linear_warmup(max_value: float, warmup_steps: int, start_value: float = 0.0) -> Schedule:
  r"""Linear warm-up from `start_value` to `max_value`, then held (`optax.linear_schedule`).

  .. math:: v(t) = v_0 + (v_{\max} - v_0) \min(t / T_w, 1) \quad (t \ge 0)

  The classic monotonic KL annealing of a VAE (beta from 0 to 1).

  Args:
    max_value: value from step `warmup_steps` on.
    warmup_steps: T_w, steps of the ramp; <= 0 gives `max_value` at every step.
    start_value: value at step 0 (and before).

  Returns:
    step -> float32 value.

  Example:
    >>> [float(linear_warmup(1.0, 100)(t)) for t in (0, 50, 100, 500)]
    [0.0, 0.5, 1.0, 1.0]
  """
  if warmup_steps <= 0:
    return constant(max_value)
  return _float32(optax.linear_schedule(start_value, max_value, int(warmup_steps)))


def sigmoid(max_value: float, midpoint: float, steepness: float) -> Schedule:
  r"""Logistic KL annealing: a smooth step from 0 to `max_value` around `midpoint`.

  .. math:: v(t) = \frac{v_{\max}}{1 + \exp(-k (t - t_0))}

  (Bowman et al., 2016, Sec. 3.1, Fig. 2.) The value at step 0 is
  max_value * sigmoid(k t_0), small but not 0; it is max_value / 2 at the
  midpoint and reaches 99% of max_value at t_0 + log(99) / k.

  Args:
    max_value: v_max, the asymptote.
    midpoint: t_0, in steps.
    steepness: k, per step (> 0 rises; the width of the ramp is ~ 1 / k).

  Returns:
    step -> float32 value.

  Example:
    >>> float(sigmoid(1.0, midpoint=1000, steepness=0.01)(1000))
    0.5
  """
  def schedule(step):
    step = jnp.asarray(step, jnp.float32)
    return jnp.float32(max_value) * jax.nn.sigmoid(jnp.float32(steepness) * (step - jnp.float32(midpoint)))
  return schedule


def cyclical(max_value: float, total_steps: int, num_cycles: int, ratio: float) -> Schedule:
  r"""Cyclical KL annealing: `num_cycles` linear ramps, each followed by a plateau.

  .. math::
    T = \frac{\text{total\_steps}}{M}, \quad \tau = \frac{t \bmod T}{T}, \quad
    v(t) = v_{\max} \min\Big(\frac{\tau}{R}, 1\Big)

  and v(t) = v_max for t >= total_steps (Fu et al., 2019, Sec. 3, Eqs. 6-7,
  with the linear f(tau) = tau / R, scaled to v_max). Each cycle starts at 0,
  rises linearly over the first fraction R (`ratio`) of the period T and is
  held at v_max for the rest. Steps count from 0; the paper's
  tau = mod(t - 1, ceil(T)) / T counts from 1 and rounds the period up, which
  is the same for an integer T.

  Args:
    max_value: v_max, the plateau value.
    total_steps: training length in steps; after it the value stays v_max.
    num_cycles: M >= 1.
    ratio: R in (0, 1], the rising fraction of each cycle (0.5 in the paper).

  Returns:
    step -> float32 value.

  Raises:
    ValueError: if total_steps <= 0, num_cycles < 1 or ratio is not in (0, 1].

  Example:
    >>> beta = cyclical(1.0, total_steps=400, num_cycles=4, ratio=0.5)
    >>> [float(beta(t)) for t in (0, 25, 50, 99, 100, 400)]
    [0.0, 0.5, 1.0, 1.0, 0.0, 1.0]
  """
  if total_steps <= 0:
    raise ValueError(f"total_steps must be > 0, got {total_steps}")
  if num_cycles < 1:
    raise ValueError(f"num_cycles must be >= 1, got {num_cycles}")
  if not 0.0 < ratio <= 1.0:
    raise ValueError(f"ratio must be in (0, 1], got {ratio}")
  period = total_steps / num_cycles
  rise = ratio * period  # Steps of each ramp.

  def schedule(step):
    step = jnp.asarray(step, jnp.float32)
    in_cycle = jnp.mod(step, jnp.float32(period))
    value = jnp.float32(max_value) * jnp.minimum(in_cycle / jnp.float32(rise), 1.0)
    return jnp.where(step >= total_steps, jnp.float32(max_value), value)
  return schedule


def temperature(start: float, end: float, decay_steps: int) -> Schedule:
  r"""Geometric (exponential) decay from `start` to `end` over `decay_steps`, then `end`.

  .. math:: v(t) = v_0 \, (v_1 / v_0)^{\min(t / T, 1)}

  i.e. `optax.exponential_decay` with rate end / start, clipped at `end`.
  For an annealed sampling or training temperature, e.g. 2.0 -> 1.0.

  Args:
    start: v_0 > 0, the value at step 0 (and before).
    end: v_1 > 0, the value from step `decay_steps` on (may exceed `start`,
      for a geometric increase).
    decay_steps: T, steps of the decay; <= 0 gives `end` at every step.

  Returns:
    step -> float32 value.

  Raises:
    ValueError: if `start` or `end` is not positive.

  Example:
    >>> [round(float(temperature(2.0, 1.0, 100)(t)), 4) for t in (0, 50, 100, 200)]
    [2.0, 1.4142, 1.0, 1.0]
  """
  if start <= 0 or end <= 0:
    raise ValueError(f"a geometric decay needs start > 0 and end > 0, got start={start}, end={end}")
  if decay_steps <= 0:
    return constant(end)
  return _float32(optax.exponential_decay(start, int(decay_steps), end / start, end_value=end))


def _get(spec: Mapping[str, Any], name: str, kind: str) -> Any:
  if name not in spec:
    raise ValueError(f"a {kind!r} schedule needs the field {name!r}; it has {sorted(spec.keys())}")
  return spec[name]


def make(spec: Mapping[str, Any], total_steps: int) -> Schedule:
  """Builds a schedule from a config section (`ml_collections.ConfigDict` or dict).

  `spec.kind` picks the schedule and only that kind's fields are read, so one
  flat section may carry the fields of every kind:

  ============  =====================================================
  kind          fields read
  ============  =====================================================
  "constant"    max_value
  "linear"      max_value, warmup_steps (from 0, `linear_warmup`)
  "sigmoid"     max_value, midpoint, steepness
  "cyclical"    max_value, num_cycles, ratio (+ total_steps)
  ============  =====================================================

  Args:
    spec: mapping with `kind` and the fields above.
    total_steps: training length in steps (used by "cyclical").

  Returns:
    step -> float32 value.

  Raises:
    ValueError: for an unknown kind (the message names `SCHEDULE_KINDS`), a
      missing field of the kind, a key that is no field of any kind (a typo
      is an error, not ignored), or invalid values (see the schedules).

  Example:
    >>> beta = make({"kind": "linear", "max_value": 1.0, "warmup_steps": 10, "ratio": 0.5}, 100)
    >>> float(beta(5))
    0.5
  """
  kind = spec.get("kind")
  if kind not in SCHEDULE_KINDS:
    raise ValueError(f"unknown schedule kind {kind!r}; valid kinds are {', '.join(SCHEDULE_KINDS)}")
  unknown = sorted(set(spec.keys()) - _KNOWN_KEYS)
  if unknown:
    raise ValueError(f"unknown schedule field(s) {unknown}; known fields are {sorted(_KNOWN_KEYS)}")
  f = {name: _get(spec, name, kind) for name in _FIELDS[kind]}
  if kind == "constant":
    return constant(float(f["max_value"]))
  if kind == "linear":
    return linear_warmup(float(f["max_value"]), int(f["warmup_steps"]))
  if kind == "sigmoid":
    return sigmoid(float(f["max_value"]), float(f["midpoint"]), float(f["steepness"]))
  return cyclical(float(f["max_value"]), int(total_steps), int(f["num_cycles"]), float(f["ratio"]))

