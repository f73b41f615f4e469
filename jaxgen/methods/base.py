"""The method protocol: every training method is three pure functions (see DESIGN.md)."""

from typing import Any, Callable, NamedTuple

import jax

State = Any  # A pytree (a flax.struct.dataclass) holding params, optimizer states and counters.
Metrics = dict[str, jax.Array]  # Scalars, the same keys at every step.


class Method(NamedTuple):
  """A training method as pure functions the engine can jit, scan, vmap and checkpoint.

  Attributes:
    init: key -> state.
    step: (state, key) -> (state, metrics); one optimizer step of every model
      (critic iterations happen inside). `key` is `fold_in(run_key, step)`.
    sample: (state, key, n) -> n samples, e.g. float32 [n, H, W, C] in [-1, 1].
  """

  init: Callable[[jax.Array], State]
  step: Callable[[State, jax.Array], tuple[State, Metrics]]
  sample: Callable[[State, jax.Array, int], jax.Array]
