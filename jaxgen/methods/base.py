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


def scan(f: Callable, init: Any, xs: jax.Array) -> tuple[Any, Any]:
  """`jax.lax.scan(f, init, xs)` for an array `xs`, but one item is `f` called directly.

  A one-trip `lax.scan` is still a while loop, and XLA:CPU runs a loop
  nested in another one measurably slower than its body inlined: with the
  convolutions of `jaxgen.nn.conv`, the DCGAN step on stacked MNIST inside
  the engine's K-step scan runs 2.6 steps/s with its single critic update
  called directly, but 1.3-1.5 steps/s with it in a one-trip scan, which
  also compiles in 20 s instead of 13 s (2-core CPU, jax 0.10.2). Before
  `jaxgen.nn.conv` any loop made convolutions 5x slower; now K-step loops
  cost nothing, only the needless nesting does. The methods' inner loops
  and the engine's K-step loop both go through here.

  Args:
    f: (carry, x) -> (carry, y), as for `lax.scan`.
    init: the initial carry.
    xs: array [T, ...] scanned over its leading axis.

  Returns:
    (final carry, ys stacked to [T, ...]), the same values as `lax.scan`.
  """
  if xs.shape[0] == 1:
    carry, ys = f(init, xs[0])
    return carry, jax.tree.map(lambda y: y[None], ys)
  return jax.lax.scan(f, init, xs)
