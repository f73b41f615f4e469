"""The method protocol: every training method is three pure functions (see DESIGN.md), plus optional,
declared capabilities; the optimizer every method builds; the scan of its inner loops."""

from typing import Any, Callable, NamedTuple

import jax
import jax.numpy as jnp
import ml_collections
import optax

State = Any  # A pytree (a flax.struct.dataclass) holding params, optimizer states and counters.
Metrics = dict[str, jax.Array]  # Scalars, the same keys at every step.


class Method(NamedTuple):
  """A training method as pure functions the engine can jit, scan, vmap and checkpoint.

  The makers return `init` and `sample` jitted (`sample` with `n` static):
  called eagerly, a model's few hundred small ops would each compile on their
  own, seconds per call.

  Attributes:
    init: key -> state.
    step: (state, key) -> (state, metrics); one optimizer step of every model
      (critic iterations happen inside). `key` is `fold_in(run_key, step)`.
    sample: (state, key, n) -> n samples, e.g. float32 [n, H, W, C] in [-1, 1].
  """

  init: Callable[[jax.Array], State]
  step: Callable[[State, jax.Array], tuple[State, Metrics]]
  sample: Callable[[State, jax.Array, int], jax.Array]


# Optional capabilities: a method offers one by carrying a function of that name beside init/step/sample
# (its own NamedTuple extends the three), and callers ask `has_capability`, never the method's name.
CAPABILITIES = {
    "encode": "(state, x, key) -> posterior {'mean', 'z', 'logvar' | 'log_scale'} of float32 [B, D], or "
              "{'high': ..., 'low': ...} for a hierarchical VAE (VAE, HierarchicalVAE)",
    "decode": "(state, z float32 [B, D], temperature) -> likelihood logits [B, ...] (VAE)",
    "elbo_terms": "(state, x, key) -> per-example float32 [B] 'recon_nll', 'kl' (per level), ... in nats, "
                  "at temperature 1 and without kl_weight or free bits (VAE, HierarchicalVAE)",
    "generate_conditional": "(state, key, labels {attribute: int [n]}) -> samples [n, ...] of those classes (ACGAN)",
    "classify": "(state, x) -> {attribute: class logits [n, K]} of the auxiliary heads (ACGAN)",
    "generate_from_codes": "(state, z_high, z_low, key, temperature) -> samples for given latent codes "
                           "(HierarchicalVAE)",
    "denoiser": "state -> eps_fn, (x_t float32 [B, ...], t int32 [B]) -> predicted noise, the EMA model "
                "that `jaxgen.losses.diffusion`'s samplers take (DDPM)",
    "frozen_generator": "state -> (codes float32 [B, latent_dim] -> samples [B, ...]) in evaluation mode (GAN)",
}


def has_capability(method, name: str) -> bool:
  """Whether `method` offers the optional capability `name` (a key of CAPABILITIES).

  Raises:
    ValueError: `name` is not a declared capability.
  """
  if name not in CAPABILITIES:
    raise ValueError(f"unknown capability {name!r}; one of {sorted(CAPABILITIES)}")
  return callable(getattr(method, name, None))


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


def ema_update(average: Any, params: Any, decay: float, step: jax.Array) -> Any:
  r"""One update of an exponential moving average of parameters, with a warm-up.

  .. math::
    d = \min\left(\mathrm{decay}, \frac{1 + \mathrm{step}}{10 + \mathrm{step}}\right), \qquad
    \bar\theta \leftarrow d\,\bar\theta + (1 - d)\,\theta

  The warm-up is that of TensorFlow's `ExponentialMovingAverage(num_updates=step)`:
  without it a short run's average keeps decay^step of the untrained network
  (13% after 2,000 steps at 0.999). Used by DDPM (Ho et al., 2020, Sec. 4)
  and by the GAN's generator average (Yazici et al., 2019, "The Unusual
  Effectiveness of Averaging in GAN Training", Eq. 2).

  Args:
    average: the pytree of averaged parameters.
    params: the pytree of current parameters, the same structure.
    decay: the target decay in [0, 1), a Python float; 0 gives `params`.
    step: int32 [], updates done before this one.

  Returns:
    The updated average, structured as `params`.
  """
  d = jnp.minimum(decay, (1.0 + step) / (10.0 + step))
  return optax.incremental_update(params, average, step_size=1.0 - d)


def adam(opt: ml_collections.ConfigDict) -> optax.GradientTransformation:
  """Every method's optimizer: Adam (Kingma & Ba, 2015) with `learning_rate`, `b1`, `b2` of a config section.

  With `decay_steps` > 0 (optional key) the learning rate follows a cosine
  from `learning_rate` down to 1% of it over that many updates of this
  optimizer (Loshchilov & Hutter, 2017, without restarts), then stays there.
  """
  lr = opt.learning_rate
  if opt.get("decay_steps", 0):
    lr = optax.cosine_decay_schedule(opt.learning_rate, opt.decay_steps, alpha=0.01)
  return optax.adam(lr, b1=opt.b1, b2=opt.b2)

