"""VAE encoders and decoders: MNIST (MLP and conv) and the hierarchical drum-pattern model.

Encoders return two [B, D] heads: the posterior mean and log-variance of a
Gaussian encoder, or f(x) and the pre-activation of S(x) of an echo encoder
(`jaxgen.losses.vae.echo_log_scale`); the method decides. Decoders return
Bernoulli logits of the data's shape. No sampling and no losses here.

The drum model follows the two-level latent structure of the issue (after
MusicVAE-style drum models, Roberts et al., 2018): a Conv1d encoder over the
16 time steps to q(z_low | x), an MLP q(z_high | z_low), an optional learned
prior p(z_low | z_high), and a decoder from [z_high, z_low] to [16, 9] logits,
transposed-conv (default), an autoregressive LSTM (flax's cell, or the
tanh-forget-gate ablation of `jaxgen.nn.sequence`) or a causal Transformer
(`jaxgen.nn.sequence.TransformerSequenceDecoder`).
"""

from typing import Sequence

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np

from jaxgen.nn.conv import Conv, ConvTranspose
from jaxgen.nn import sequence

DRUM_DECODERS = ("conv", "lstm", "transformer")


class GaussianMLP(nn.Module):
  """An MLP with two [B, D] output heads: (mean, log-variance), or (f, S pre-activation) for echo noise.

  Attributes:
    latent_dim: D.
    widths: hidden widths, each Dense + ReLU.

  Example:
    >>> m, lv = GaussianMLP(3, (8,)).init_with_output(jax.random.key(0), jnp.zeros((2, 5, 4)))[0]
    >>> m.shape, lv.shape
    ((2, 3), (2, 3))
  """

  latent_dim: int
  widths: Sequence[int] = (512, 256)

  @nn.compact
  def __call__(self, x: jax.Array) -> tuple[jax.Array, jax.Array]:
    """x: float32 [B, ...] (flattened) -> two float32 [B, latent_dim]."""
    h = x.reshape(x.shape[0], -1)
    for width in self.widths:
      h = nn.relu(nn.Dense(width)(h))
    return nn.Dense(self.latent_dim)(h), nn.Dense(self.latent_dim)(h)


class ConvEncoder(nn.Module):
  """Two stride-2 3x3 convolutions (ReLU), then the two [B, D] heads of `GaussianMLP` (no hidden layer).

  Attributes:
    latent_dim: D.
    channels: channels of the two convolutions.
  """

  latent_dim: int
  channels: Sequence[int] = (32, 64)

  @nn.compact
  def __call__(self, x: jax.Array) -> tuple[jax.Array, jax.Array]:
    """x: float32 [B, H, W, C] in [-1, 1] -> two float32 [B, latent_dim]."""
    h = x
    for c in self.channels:
      h = nn.relu(Conv(c, (3, 3), strides=(2, 2))(h))
    return GaussianMLP(self.latent_dim, widths=())(h)


class MLPDecoder(nn.Module):
  """z [B, D] -> Bernoulli logits [B, *output_shape] through Dense + ReLU layers."""

  output_shape: Sequence[int] = (28, 28, 1)
  widths: Sequence[int] = (256, 512)

  @nn.compact
  def __call__(self, z: jax.Array) -> jax.Array:
    h = z
    for width in self.widths:
      h = nn.relu(nn.Dense(width)(h))
    return nn.Dense(int(np.prod(self.output_shape)))(h).reshape(z.shape[0], *self.output_shape)


class ConvDecoder(nn.Module):
  """z [B, D] -> Dense -> 7x7xC -> two stride-2 transposed convolutions (ReLU) -> 28x28 logits.

  Attributes:
    output_shape: (28, 28, channels).
    channels: channels of the 7x7 map and of the 14x14 map.
  """

  output_shape: Sequence[int] = (28, 28, 1)
  channels: Sequence[int] = (64, 32)

  @nn.compact
  def __call__(self, z: jax.Array) -> jax.Array:
    h, w, c = self.output_shape
    x = nn.relu(nn.Dense(h // 4 * w // 4 * self.channels[0])(z)).reshape(z.shape[0], h // 4, w // 4, -1)
    x = nn.relu(ConvTranspose(self.channels[1], (4, 4), strides=(2, 2))(x))
    return ConvTranspose(c, (4, 4), strides=(2, 2))(x)


class DrumEncoder(nn.Module):
  """Conv1d over the 16 steps (instruments as channels) -> the two [B, D] heads of q(z_low | x).

  Attributes:
    latent_dim: D (12 in the issue's model).
    channels: channels of the convolutions (kernel 3; the second and later stride 2).
  """

  latent_dim: int = 12
  channels: Sequence[int] = (64, 128)

  @nn.compact
  def __call__(self, x: jax.Array) -> tuple[jax.Array, jax.Array]:
    """x: float32 [B, 16, 9] in [-1, 1] -> two float32 [B, latent_dim]."""
    h = x
    for i, c in enumerate(self.channels):
      h = nn.relu(Conv(c, (3,), strides=(1 if i == 0 else 2,))(h))
    return GaussianMLP(self.latent_dim, widths=(256,))(h)


class DrumDecoder(nn.Module):
  """[B, D] codes -> Bernoulli logits [B, steps, instruments].

  Attributes:
    kind: "conv": Dense -> [B, steps/4, C] -> two stride-2 transposed Conv1d
      -> a kernel-1 Conv1d to the instruments (every step sees z only).
      "lstm": an autoregressive LSTM; step t sees z and the pattern at
      t - 1 (teacher forcing with `targets`; a zero row at t = 0), the
      strong decoder of the posterior-collapse literature (Bowman et al., 2016).
      "transformer": a causal Transformer with z as its first token
      (`sequence.TransformerSequenceDecoder`, width `channels[0]`),
      teacher-forced in one parallel pass, sampled with a key/value cache.
    steps, instruments: the pattern's shape.
    channels: conv channels, or the LSTM size / Transformer width (first entry).
    forget_gate: the LSTM's forget gate, "sigmoid" (flax's `OptimizedLSTMCell`)
      or "tanh" (`sequence.ForgetGateLSTMCell`, the ablation).
    dropout_rate: the Transformer's dropout in training calls (the other
      decoders have none).
  """

  kind: str = "conv"
  steps: int = 16
  instruments: int = 9
  channels: Sequence[int] = (128, 64)
  forget_gate: str = "sigmoid"
  dropout_rate: float = 0.0

  def setup(self):
    if self.kind not in DRUM_DECODERS:
      raise ValueError(f"DrumDecoder.kind must be one of {DRUM_DECODERS}, got {self.kind!r}")
    if self.kind == "conv":
      self.dense = nn.Dense(self.steps // 4 * self.channels[0])
      self.up = [ConvTranspose(c, (4,), strides=(2,)) for c in (self.channels[0], self.channels[1])]
      self.out = Conv(self.instruments, (1,))
    elif self.kind == "lstm":
      self.init_carry = nn.Dense(2 * self.channels[0])
      self.cell = (nn.OptimizedLSTMCell(self.channels[0]) if self.forget_gate == "sigmoid"
                   else sequence.ForgetGateLSTMCell(self.channels[0], self.forget_gate))
      self.out = nn.Dense(self.instruments)
    else:
      self.transformer = sequence.TransformerSequenceDecoder(self.steps, self.instruments, width=self.channels[0],
                                                             dropout_rate=self.dropout_rate)

  def __call__(self, z: jax.Array, targets: jax.Array | None = None, deterministic: bool = True) -> jax.Array:
    """Logits of p(x | z).

    Args:
      z: float32 [B, D].
      targets: float32 [B, steps, instruments] in {0, 1}, the pattern the
        LSTM or Transformer is teacher-forced with (ignored by "conv").
      deterministic: False applies the Transformer's dropout (a "dropout"
        PRNG stream); the other decoders ignore it.

    Returns:
      float32 [B, steps, instruments] logits.
    """
    if self.kind == "conv":
      h = nn.relu(self.dense(z)).reshape(z.shape[0], self.steps // 4, -1)
      for layer in self.up:
        h = nn.relu(layer(h))
      return self.out(h)
    if targets is None:
      raise ValueError(f"the {self.kind} decoder needs the targets for teacher forcing; sample with `generate`")
    if self.kind == "transformer":
      return self.transformer(z, targets, deterministic)
    previous = jnp.concatenate([jnp.zeros_like(targets[:, :1]), targets[:, :-1]], axis=1)
    inputs = jnp.concatenate([jnp.broadcast_to(z[:, None], (*previous.shape[:2], z.shape[-1])), previous], -1)
    # One lax.scan over the steps (flax's lifted scan: the cell's parameters are shared, named as before); a
    # Python loop unrolled 64 steps of four bars into a program that took a minute to compile.
    over_steps = nn.scan(lambda cell, carry, x: cell(carry, x), variable_broadcast="params",
                         split_rngs={"params": False}, in_axes=1, out_axes=1)
    _, h = over_steps(self.cell, self._carry(z), inputs)
    return self.out(h)

  def _carry(self, z):
    c, h = jnp.split(jnp.tanh(self.init_carry(z)), 2, axis=-1)
    return c, h

  def generate(self, z: jax.Array, key: jax.Array, temperature: float = 1.0) -> jax.Array:
    """Samples a pattern: float32 [B, steps, instruments] in {0, 1}; each cell Bernoulli(sigmoid(logit / T)).

    For "conv" the cells are independent given z; the LSTM and the
    Transformer feed each sampled step back in as the next step's input.
    """
    if self.kind == "conv":
      return jax.random.bernoulli(key, jax.nn.sigmoid(self(z) / temperature)).astype(jnp.float32)
    if self.kind == "transformer":  # Its decode-mode copy, run with these parameters and a key/value cache.
      return sequence.decode_step_by_step(self.transformer.clone(parent=None), self.transformer.variables["params"],
                                          z, key, temperature)[0]

    def sample_step(decoder, carry, k):
      carry, x = carry
      carry, h = decoder.cell(carry, jnp.concatenate([z, x], -1))
      x = jax.random.bernoulli(k, jax.nn.sigmoid(decoder.out(h) / temperature)).astype(jnp.float32)
      return (carry, x), x

    over_steps = nn.scan(sample_step, variable_broadcast="params", split_rngs={"params": False}, out_axes=1)
    start = (self._carry(z), jnp.zeros((z.shape[0], self.instruments)))
    return over_steps(self, start, jax.random.split(key, self.steps))[1]


class HierarchicalDrumVAE(nn.Module):
  """The two-level drum VAE: q(z_low | x), q(z_high | z_low), optional p(z_low | z_high), p(x | z_high, z_low).

  Attributes:
    low_dim, high_dim: latent sizes (12 and 4 in the issue).
    decoder: "conv", "lstm" or "transformer" (`DrumDecoder.kind`).
    forget_gate: the LSTM decoder's, "sigmoid" or "tanh" (`DrumDecoder.forget_gate`).
    steps: time steps of a pattern (16 per bar).
    learned_prior: use p(z_low | z_high) = N(mean(z_high), exp(logvar(z_high)))
      from an MLP; otherwise p(z_low) = N(0, I).
    dropout_rate: the Transformer decoder's (`DrumDecoder.dropout_rate`).
  """

  low_dim: int = 12
  high_dim: int = 4
  decoder: str = "conv"
  learned_prior: bool = False
  forget_gate: str = "sigmoid"
  steps: int = 16
  dropout_rate: float = 0.0

  def setup(self):
    self.encoder = DrumEncoder(self.low_dim)
    self.high_encoder = GaussianMLP(self.high_dim, widths=(64,))
    self.prior = GaussianMLP(self.low_dim, widths=(64,)) if self.learned_prior else None
    self.decode_net = DrumDecoder(kind=self.decoder, steps=self.steps, forget_gate=self.forget_gate,
                                  dropout_rate=self.dropout_rate)

  def encode_low(self, x):
    """x float32 [B, 16, 9] in [-1, 1] -> (mean, logvar) float32 [B, low_dim]."""
    return self.encoder(x)

  def encode_high(self, z_low):
    """z_low float32 [B, low_dim] -> (mean, logvar) float32 [B, high_dim]."""
    return self.high_encoder(z_low)

  def prior_low(self, z_high):
    """(mean, logvar) of p(z_low | z_high); zeros (N(0, I)) without a learned prior."""
    if self.prior is None:
      zeros = jnp.zeros((z_high.shape[0], self.low_dim))
      return zeros, zeros
    return self.prior(z_high)

  def decode(self, z_high, z_low, targets=None, deterministic=True):
    """Logits float32 [B, 16, 9] of p(x | z_high, z_low) (targets: teacher forcing of the sequence decoders;
    deterministic=False: the Transformer's training-time dropout)."""
    return self.decode_net(jnp.concatenate([z_high, z_low], -1), targets, deterministic)

  def generate(self, z_high, z_low, key, temperature=1.0):
    """Sampled patterns float32 [B, 16, 9] in {0, 1} at `temperature`."""
    return self.decode_net.generate(jnp.concatenate([z_high, z_low], -1), key, temperature)

  def __call__(self, x):
    """Touches every submodule (for `init`): returns the decoder logits of the posterior means."""
    mean_low, _ = self.encode_low(x)
    mean_high, _ = self.encode_high(mean_low)
    self.prior_low(mean_high)
    return self.decode(mean_high, mean_low, (x + 1) / 2)
