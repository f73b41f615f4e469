"""Drum-pattern metrics as pure functions: musical validity, diversity, and style accuracy.

Patterns are one 4/4 bar on a 16th-note grid, [16, 9] (steps x instruments
in `jaxgen.data.drums.INSTRUMENTS` order, kick first). A cell is on when its
value is > 0.5, so {0, 1} patterns (any numeric dtype), the models' {-1, +1}
and probabilities in [0, 1] are all accepted.

`validity` is a hand-written plausibility score (jaxgen's own rule of thumb,
not from a paper): a bar should have some notes, not too many, a kick, and
some repetition between its halves. `diversity` is the mean pairwise Hamming
distance, the usual "how different are the samples" statistic. The style
classifier (`jaxgen.nn.classifier.DrumStyleClassifier`) scores generated
patterns the way the MNIST classifier scores digits: train it on the real
`drum_patterns` train split, then read the predicted styles of samples.
"""

import functools

import jax
import jax.numpy as jnp
import numpy as np
import optax

from jaxgen.data.drums import INSTRUMENTS, STEPS, STYLES
from jaxgen.nn.classifier import DrumStyleClassifier

CELLS = STEPS * len(INSTRUMENTS)  # 144
DENSE_CELLS = CELLS // 2  # More than this many on cells is "too dense".
DENSE_FACTOR = 0.8
NO_KICK_FACTOR = 0.7
MIN_REPEAT = 0.3
NO_REPEAT_FACTOR = 0.8
STYLE_MODEL = DrumStyleClassifier(hidden=(128,), num_classes=len(STYLES))
STYLE_STEPS = 300
_KICK = INSTRUMENTS.index("kick")


def _check_grid(x: jax.Array, name: str = "patterns") -> None:
  if x.shape[-2:] != (STEPS, len(INSTRUMENTS)):
    raise ValueError(f"{name} must be [..., {STEPS}, {len(INSTRUMENTS)}], got shape {x.shape}")


def validity(patterns) -> jax.Array:
  """Plausibility of drum patterns as one bar of a groove, in [0, 1].

  The score starts at 1 and is multiplied by each factor that applies:

  - 0 for an empty pattern (no cell on);
  - 0.8 when more than half the cells are on (> 72 of 144);
  - 0.7 when the kick never plays;
  - 0.8 when fewer than 30% of the cells repeat between the two half-bars.
    "Repeat" is read as the Jaccard index of the halves: among the
    (instrument, offset) cells on in steps 0-7 or in steps 8-15 (offset
    0-7 within the half), the fraction on in both. A pattern with nothing on
    in either half counts as not repeating (it is empty, so 0 anyway).

  So every value is one of 0 and the products of {1, 0.8} x {1, 0.7} x {1, 0.8}.
  Pure jnp: jit/vmap-able. (jaxgen's own rule of thumb, from the "VAE lab"
  issue; not from a paper.)

  Args:
    patterns: [N, 16, 9] or [16, 9], any numeric dtype; a cell is on when > 0.5.

  Returns:
    float32 [N] (or [] for a single pattern).

  Raises:
    ValueError: if the last two axes are not [16, 9].

  Example:
    >>> p = np.zeros((16, 9), np.uint8)
    >>> p[[0, 8], 0] = 1; p[[4, 12], 1] = 1  # Kick on 1 and 3, snare on 2 and 4.
    >>> no_kick = p.copy(); no_kick[:, 0] = 0
    >>> [round(float(v), 3) for v in validity(np.stack([p, no_kick, 0 * p]))]
    [1.0, 0.7, 0.0]
  """
  x = jnp.asarray(patterns) > 0.5
  _check_grid(x)
  count = x.sum(axis=(-2, -1))
  first, second = x[..., :STEPS // 2, :], x[..., STEPS // 2:, :]
  union = (first | second).sum(axis=(-2, -1))
  repeat = (first & second).sum(axis=(-2, -1)) / jnp.maximum(union, 1)
  score = jnp.where(count == 0, 0.0, 1.0)
  score *= jnp.where(count > DENSE_CELLS, DENSE_FACTOR, 1.0)
  score *= jnp.where(x[..., _KICK].any(axis=-1), 1.0, NO_KICK_FACTOR)
  score *= jnp.where((union > 0) & (repeat >= MIN_REPEAT), 1.0, NO_REPEAT_FACTOR)
  return score.astype(jnp.float32)


def diversity(patterns) -> jax.Array:
  """Mean pairwise Hamming fraction of a set of patterns.

  The mean, over all pairs i < j, of the fraction of the 144 cells in which
  patterns i and j differ: 0 when all are equal, 1 for a pattern and its
  complement. Computed per cell from the number k of patterns with it on
  (k * (N - k) pairs differ there), in O(N) memory. Pure jnp.

  Args:
    patterns: [N, 16, 9], N >= 2, any numeric dtype; a cell is on when > 0.5.

  Returns:
    float32 [] in [0, 1].

  Raises:
    ValueError: for N < 2 or last axes other than [16, 9].

  Example:
    >>> a = np.zeros((16, 9)); b = a.copy(); b[0, :] = 1  # 9 of 144 cells differ.
    >>> float(diversity(np.stack([a, b])))
    0.0625
  """
  x = jnp.asarray(patterns) > 0.5
  _check_grid(x)
  if x.ndim != 3 or x.shape[0] < 2:
    raise ValueError(f"diversity needs [N, 16, 9] patterns with N >= 2, got shape {x.shape}")
  n = x.shape[0]
  on = x.reshape((n, -1)).sum(axis=0).astype(jnp.float32)
  pairs = n * (n - 1) / 2
  return (jnp.sum(on * (n - on)) / (pairs * CELLS)).astype(jnp.float32)


# ----------------------------------------------------------------------------- style classifier


def _to_model_range(patterns) -> jax.Array:
  """{0, 1} [N, 16, 9] (on when > 0.5) -> float32 in {-1, +1}."""
  x = jnp.asarray(patterns)
  _check_grid(x)
  return jnp.where(x > 0.5, 1.0, -1.0).astype(jnp.float32)


@functools.partial(jax.jit, static_argnames=("steps",))
def _fit(key, x, y, steps, learning_rate):
  """Full-batch Adam on the softmax cross-entropy, `steps` updates in one `lax.scan`."""
  params = STYLE_MODEL.init(key, x[:1])
  tx = optax.adam(learning_rate)

  def loss_fn(p):
    return optax.softmax_cross_entropy_with_integer_labels(STYLE_MODEL.apply(p, x), y).mean()

  def step(carry, _):
    p, opt_state = carry
    loss, grads = jax.value_and_grad(loss_fn)(p)
    updates, opt_state = tx.update(grads, opt_state, p)
    return (optax.apply_updates(p, updates), opt_state), loss

  (params, _), losses = jax.lax.scan(step, (params, tx.init(params)), None, length=steps)
  return params, losses


def train_style_classifier(patterns, styles, seed: int = 0, steps: int = STYLE_STEPS,
                           learning_rate: float = 3e-3):
  """Trains `DrumStyleClassifier` on labelled patterns (e.g. the `drum_patterns` train split).

  Full-batch Adam (Kingma & Ba, 2015) on the softmax cross-entropy, all
  steps in one jitted `lax.scan`: about a second on a CPU for 800 patterns.

  Args:
    patterns: [N, 16, 9] in {0, 1} (uint8 or float; on when > 0.5).
    styles: int [N] style ids in [0, 5) (indices into `STYLES`).
    seed: seed of the parameter initialisation.
    steps: number of Adam steps.
    learning_rate: Adam step size.

  Returns:
    The `DrumStyleClassifier` parameter pytree (`{"params": ...}`).

  Raises:
    ValueError: for mismatched shapes or style ids outside [0, 5).
  """
  x = _to_model_range(patterns)
  y = np.asarray(styles)
  if x.ndim != 3 or y.shape != (x.shape[0],) or not len(y):
    raise ValueError(f"need patterns [N, 16, 9] and styles [N], N >= 1; got {x.shape} and {y.shape}")
  if y.min() < 0 or y.max() >= len(STYLES):
    raise ValueError(f"styles must be ids in [0, {len(STYLES)}), got values in [{y.min()}, {y.max()}]")
  params, _ = _fit(jax.random.key(seed), x, jnp.asarray(y, jnp.int32), steps, learning_rate)
  return params


@jax.jit
def style_predictions(params, patterns) -> jax.Array:
  """Most likely style of each pattern.

  Args:
    params: from `train_style_classifier`.
    patterns: [N, 16, 9] in {0, 1} (uint8 or float; on when > 0.5).

  Returns:
    int32 [N] indices into `STYLES`.
  """
  return jnp.argmax(STYLE_MODEL.apply(params, _to_model_range(patterns)), axis=-1).astype(jnp.int32)


def style_accuracy(params, patterns, styles) -> float:
  """Fraction (0..1) of patterns whose predicted style is `styles`.

  Args:
    params: from `train_style_classifier`.
    patterns: [N, 16, 9] in {0, 1} (uint8 or float; on when > 0.5).
    styles: int [N] true style ids.

  Returns:
    A Python float.
  """
  return float(np.mean(np.asarray(style_predictions(params, patterns)) == np.asarray(styles)))
