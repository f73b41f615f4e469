"""Sequence models for the drum decoders: an LSTM cell with a choice of forget gate, and a causal Transformer.

`ForgetGateLSTMCell` exists only for the forget-gate ablation: it is flax's
`OptimizedLSTMCell` (same parameter names, shapes and initialisers; a test
checks that `forget_gate="sigmoid"` gives its outputs for the same
parameters) with the forget gate's squashing function as a choice,

  f_t = sigmoid(W_f [x_t, h_{t-1}] + b_f)   (Hochreiter & Schmidhuber, 1997; Gers et al., 2000)
  f_t = tanh(W_f [x_t, h_{t-1}] + b_f)      (the ablation),

and c_t = f_t * c_{t-1} + i_t * g_t, h_t = o_t * tanh(c_t) as usual. With a
sigmoid, f_t is the fraction in (0, 1) of the memory kept, 0.5 at a zero
pre-activation and near 1 when the gate saturates open; with tanh it lies in
(-1, 1): 0 (forget all) at a zero pre-activation, and a negative f_t flips
the memory's sign at every step. The study measures what that costs over
several bars.

`CausalTransformer` is a decoder-only Transformer over time steps (Vaswani et
al., 2017, with the pre-norm blocks of Xiong et al., 2020): learned positions,
causal self-attention by `flax.linen.MultiHeadDotProductAttention`, dropout
as Vaswani et al. (Sec. 5.4: on each sub-layer's output before the residual
sum, on the input embeddings, and here on the attention weights too), and,
with `decode=True`, the attention's key/value cache for step-by-step
sampling. Dropout is off unless a call passes `deterministic=False` with a
"dropout" PRNG stream: on the drum data's 800 training patterns, a width-128
Transformer without it learns each pattern's flipped cells by heart (train
NLL 4 nats, test NLL rising from 35 to 106 over 3,000 steps).
"""

from typing import Any

import jax
import jax.numpy as jnp
from flax import linen as nn

FORGET_GATES = ("sigmoid", "tanh")


class ForgetGateLSTMCell(nn.RNNCellBase):
  """flax's `OptimizedLSTMCell` with the forget gate's nonlinearity a choice ("sigmoid" or "tanh").

  Attributes:
    features: the hidden size H.
    forget_gate: "sigmoid" (the standard cell) or "tanh".

  Call: (carry (c, h), each float32 [..., H]; inputs float32 [..., D]) ->
  ((c', h'), h').
  """

  features: int
  forget_gate: str = "sigmoid"

  @nn.compact
  def __call__(self, carry: tuple[jax.Array, jax.Array], inputs: jax.Array) -> tuple[tuple[jax.Array, jax.Array],
                                                                                      jax.Array]:
    if self.forget_gate not in FORGET_GATES:
      raise ValueError(f"forget_gate must be one of {FORGET_GATES}, got {self.forget_gate!r}")
    c, h = carry
    # OptimizedLSTMCell's parameters: input kernels ii, if, ig, io without bias; recurrent kernels hi, ... with bias.
    gate = lambda name: (nn.Dense(self.features, use_bias=False, kernel_init=nn.initializers.lecun_normal(),
                                  name=f"i{name}")(inputs)
                         + nn.Dense(self.features, kernel_init=nn.initializers.orthogonal(),
                                    bias_init=nn.initializers.zeros_init(), name=f"h{name}")(h))
    i, g, o = jax.nn.sigmoid(gate("i")), jnp.tanh(gate("g")), jax.nn.sigmoid(gate("o"))
    f = (jax.nn.sigmoid if self.forget_gate == "sigmoid" else jnp.tanh)(gate("f"))
    new_c = f * c + i * g
    new_h = o * jnp.tanh(new_c)
    return (new_c, new_h), new_h

  @nn.nowrap
  def initialize_carry(self, rng: jax.Array, input_shape: tuple[int, ...]) -> tuple[jax.Array, jax.Array]:
    """Zero (c, h), each float32 [*input_shape[:-1], features]."""
    del rng
    shape = tuple(input_shape[:-1]) + (self.features,)
    return jnp.zeros(shape), jnp.zeros(shape)

  @property
  def num_feature_axes(self) -> int:
    return 1


class TransformerBlock(nn.Module):
  """Pre-norm block: x + Attn(LN(x)), then x + MLP(LN(x)) (Xiong et al., 2020, Fig. 1b)."""

  width: int
  heads: int
  mlp_ratio: int = 4
  dropout_rate: float = 0.0
  decode: bool = False

  @nn.compact
  def __call__(self, x: jax.Array, mask: jax.Array | None, deterministic: bool = True) -> jax.Array:
    drop = lambda y: nn.Dropout(self.dropout_rate)(y, deterministic=deterministic)
    h = nn.MultiHeadDotProductAttention(num_heads=self.heads, dropout_rate=self.dropout_rate, decode=self.decode)(
        nn.LayerNorm()(x), mask=mask, deterministic=deterministic)
    x = x + drop(h)
    h = nn.Dense(self.mlp_ratio * self.width)(nn.LayerNorm()(x))
    return x + drop(nn.Dense(self.width)(nn.gelu(h)))


class CausalTransformer(nn.Module):
  """A causal Transformer over `length` token positions: tokens [B, L, width] -> outputs [B, L, width].

  Position t attends to positions 0..t only. With `decode=True` each call
  takes one position, [B, 1, width], at `position` (an int32 []), and
  attends to the cached keys and values of the earlier calls
  (`MultiHeadDotProductAttention(decode=True)`, its "cache" collection). The
  cache is made by `init` (or an apply with mutable "cache") on a full
  [B, length, width] input.

  Attributes:
    length: the number of positions L (the learned position table's size).
    width, depth, heads: model width, blocks, attention heads.
    dropout_rate: in [0, 1), used when a call passes `deterministic=False`.
    decode: step-by-step mode with the key/value cache.
  """

  length: int
  width: int = 128
  depth: int = 2
  heads: int = 4
  dropout_rate: float = 0.0
  decode: bool = False

  @nn.compact
  def __call__(self, tokens: jax.Array, position: Any = 0, deterministic: bool = True) -> jax.Array:
    table = self.param("positions", nn.initializers.normal(0.02), (self.length, self.width))
    if self.decode and tokens.shape[1] == 1:  # One step; the attention masks the cache's later positions.
      x, mask = tokens + jax.lax.dynamic_slice_in_dim(table, position, 1)[None], None
    else:  # All positions at once (in decode mode: the call that makes the cache).
      x, mask = tokens + table[None, :tokens.shape[1]], nn.make_causal_mask(tokens[..., 0])
    x = nn.Dropout(self.dropout_rate)(x, deterministic=deterministic)
    for _ in range(self.depth):
      x = TransformerBlock(self.width, self.heads, dropout_rate=self.dropout_rate, decode=self.decode)(
          x, mask, deterministic)
    return nn.LayerNorm()(x)


class TransformerSequenceDecoder(nn.Module):
  """p(x_t | x_<t, z) for binary sequences x [B, steps, features] by a `CausalTransformer`.

  The code z enters as a prefix token: position 0 holds Dense(z), position
  t >= 1 holds Dense(x_{t-1}), and the output at position t gives the logits
  of x_t. A prefix token, not cross-attention: the memory would be a single
  vector, and attention over one key has weight 1, so cross-attention to it
  would add the same projection of z at every position; as a token, z is one
  of the positions each step weighs against the pattern so far.

  Attributes:
    steps, features: the sequence's shape (time steps T, cells per step F).
    width, depth, heads: the Transformer's size.
    dropout_rate: the Transformer's dropout (`CausalTransformer`), on in
      calls with `deterministic=False`.
    decode: the key/value-cache mode (`decode_step_by_step` uses it).
  """

  steps: int
  features: int
  width: int = 128
  depth: int = 2
  heads: int = 4
  dropout_rate: float = 0.0
  decode: bool = False

  def setup(self):
    self.embed_z = nn.Dense(self.width)
    self.embed_x = nn.Dense(self.width)
    self.transformer = CausalTransformer(self.steps, self.width, self.depth, self.heads, self.dropout_rate,
                                         decode=self.decode)
    self.out = nn.Dense(self.features)

  def __call__(self, z: jax.Array, targets: jax.Array, deterministic: bool = True) -> jax.Array:
    """Teacher-forced logits in one parallel pass.

    Args:
      z: float32 [B, D].
      targets: float32 [B, steps, features] in {0, 1}.
      deterministic: False applies dropout (needs a "dropout" PRNG stream).

    Returns:
      float32 [B, steps, features] logits; position t depends on z and targets[:, :t] only.
    """
    tokens = jnp.concatenate([self.embed_z(z)[:, None], self.embed_x(targets[:, :-1])], axis=1)
    return self.out(self.transformer(tokens, deterministic=deterministic))

  def start(self, z: jax.Array) -> jax.Array:
    """A full-length pass on blank tokens: with `decode`, this call makes the cache (its output is unused)."""
    return self.transformer(jnp.zeros((z.shape[0], self.steps, self.width)))

  def step(self, z: jax.Array, previous: jax.Array, t: jax.Array) -> jax.Array:
    """With `decode`: logits float32 [B, features] of x_t given the cache, z [B, D] and x_{t-1} [B, features]."""
    token = jnp.where(t == 0, self.embed_z(z), self.embed_x(previous))
    return self.out(self.transformer(token[:, None], t))[:, 0]


def decode_step_by_step(decoder: TransformerSequenceDecoder, params, z: jax.Array, key: jax.Array,
                        temperature: float = 1.0, targets: jax.Array | None = None
                        ) -> tuple[jax.Array, jax.Array]:
  """Runs `decoder` one position at a time with its key/value cache, as one `lax.scan` over the steps.

  Each step feeds the previous step's cells back in: the sampled ones,
  x_t ~ Bernoulli(sigmoid(logit_t / temperature)), or with `targets` the
  given ones (teacher forcing through the cache, which must reproduce the
  parallel pass).

  Args:
    decoder: the (unbound) decoder; its `decode=True` copy is run.
    params: its parameters (the "params" collection).
    z: float32 [B, D] codes.
    key: PRNG key of the Bernoulli draws.
    temperature: > 0; divides the logits.
    targets: optional float32 [B, steps, features] in {0, 1}.

  Returns:
    (x float32 [B, steps, features] in {0, 1}: the sampled cells, or `targets`;
    logits float32 [B, steps, features]).
  """
  stepper = decoder.clone(decode=True, parent=None)
  shapes = jax.eval_shape(lambda: stepper.init(jax.random.key(0), z, method="start"))["cache"]
  cache = jax.tree.map(lambda s: jnp.zeros(s.shape, s.dtype), shapes)

  def body(carry, inputs):
    cache, previous = carry
    t, k, given = inputs
    logits, variables = stepper.apply({"params": params, "cache": cache}, z, previous, t, method="step",
                                      mutable=["cache"])
    x = jax.random.bernoulli(k, jax.nn.sigmoid(logits / temperature)).astype(jnp.float32) if given is None \
        else given
    return (variables["cache"], x), (x, logits)

  steps = jnp.arange(decoder.steps)
  given = None if targets is None else jnp.swapaxes(targets, 0, 1)
  start = jnp.zeros((z.shape[0], decoder.features))
  _, (x, logits) = jax.lax.scan(body, (cache, start), (steps, jax.random.split(key, decoder.steps), given))
  return jnp.swapaxes(x, 0, 1), jnp.swapaxes(logits, 0, 1)
