"""The drum decoders' sequence models: the forget-gate cell against flax's, the causal Transformer and its cache."""

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jaxgen.nn import sequence
from jaxgen.nn.vae import DrumDecoder

B, T, F, D = 3, 16, 9, 6


@pytest.fixture(scope="module")
def transformer():
  """A small decoder, its parameters, codes and a binary target pattern."""
  decoder = sequence.TransformerSequenceDecoder(steps=T, features=F, width=32, depth=2, heads=4)
  z = jax.random.normal(jax.random.key(0), (B, D))
  x = jax.random.bernoulli(jax.random.key(1), 0.3, (B, T, F)).astype(jnp.float32)
  return decoder, decoder.init(jax.random.key(2), z, x)["params"], z, x


def test_sigmoid_forget_gate_cell_is_flaxs_lstm_cell_and_tanh_changes_it():
  x = jax.random.normal(jax.random.key(0), (4, 5))
  carry = (jax.random.normal(jax.random.key(1), (4, 8)), jax.random.normal(jax.random.key(2), (4, 8)))
  flax_cell = nn.OptimizedLSTMCell(8)
  params = flax_cell.init(jax.random.key(3), carry, x)
  ours = sequence.ForgetGateLSTMCell(8)
  # The same parameter tree and initialisers: the same key gives the same parameters.
  jax.tree.map(np.testing.assert_array_equal, ours.init(jax.random.key(3), carry, x), params)
  (c_flax, h_flax), _ = flax_cell.apply(params, carry, x)
  (c, h), out = ours.apply(params, carry, x)
  np.testing.assert_allclose(c, c_flax, atol=1e-6)
  np.testing.assert_allclose(h, h_flax, atol=1e-6)
  np.testing.assert_array_equal(out, h)
  # tanh: by hand from the same parameters, f = tanh(x W_if + h W_hf + b_hf).
  p = params["params"]
  gate = lambda g: x @ p[f"i{g}"]["kernel"] + carry[1] @ p[f"h{g}"]["kernel"] + p[f"h{g}"]["bias"]
  expected_c = jnp.tanh(gate("f")) * carry[0] + jax.nn.sigmoid(gate("i")) * jnp.tanh(gate("g"))
  (c_tanh, _), _ = sequence.ForgetGateLSTMCell(8, "tanh").apply(params, carry, x)
  np.testing.assert_allclose(c_tanh, expected_c, atol=1e-5)
  assert np.abs(c_tanh - c).max() > 0.1
  with pytest.raises(ValueError, match="forget_gate"):
    sequence.ForgetGateLSTMCell(8, "relu").init(jax.random.key(0), carry, x)


def test_the_transformer_decoder_is_causal(transformer):
  decoder, params, z, x = transformer
  logits = decoder.apply({"params": params}, z, x)
  assert logits.shape == (B, T, F)
  for t in (0, 7, T - 2):
    changed = x.at[:, t].set(1 - x[:, t])  # Input step t feeds the prediction of steps t + 1 onwards.
    other = decoder.apply({"params": params}, z, changed)
    np.testing.assert_array_equal(other[:, :t + 1], logits[:, :t + 1])
    assert np.abs(other[:, t + 1] - logits[:, t + 1]).max() > 1e-4
  assert np.abs(decoder.apply({"params": params}, -z, x)[:, 0] - logits[:, 0]).max() > 1e-4  # z is token 0.


def test_dropout_acts_only_in_training_calls_and_keeps_the_decoder_causal(transformer):
  """With dropout_rate > 0 the evaluation pass (deterministic, the default) is the same function of the same
  parameters as without dropout; a training pass differs and depends on its "dropout" key, and with one key
  is still causal (the masks are per position, so they cannot carry a later step back)."""
  decoder, params, z, x = transformer
  dropped = decoder.clone(dropout_rate=0.3)
  np.testing.assert_array_equal(dropped.apply({"params": params}, z, x), decoder.apply({"params": params}, z, x))
  train = lambda x, k: dropped.apply({"params": params}, z, x, False, rngs={"dropout": jax.random.key(k)})
  logits = train(x, 0)
  assert np.abs(logits - decoder.apply({"params": params}, z, x)).max() > 1e-3
  assert np.abs(train(x, 1) - logits).max() > 1e-3
  t = 7
  other = train(x.at[:, t].set(1 - x[:, t]), 0)
  np.testing.assert_array_equal(other[:, :t + 1], logits[:, :t + 1])
  assert np.abs(other[:, t + 1] - logits[:, t + 1]).max() > 1e-4


def test_cached_step_by_step_decoding_equals_the_parallel_pass(transformer):
  decoder, params, z, x = transformer
  parallel = decoder.apply({"params": params}, z, x)
  given, cached = jax.jit(lambda p: sequence.decode_step_by_step(decoder, p, z, jax.random.key(3), targets=x))(params)
  np.testing.assert_array_equal(given, x)
  np.testing.assert_allclose(cached, parallel, atol=2e-5)


def test_drum_transformer_sampling_at_low_temperature_is_greedy_decoding_by_parallel_passes():
  """DrumDecoder.generate runs the cached copy with the bound module's parameters: near T = 0 its draws are
  x_t = [logit_t > 0], which T parallel passes reproduce one step at a time."""
  decoder = DrumDecoder(kind="transformer", channels=(32, 16))
  z = jax.random.normal(jax.random.key(0), (B, D))
  variables = decoder.init(jax.random.key(1), z, jnp.zeros((B, T, F)))
  sampled = decoder.apply(variables, z, jax.random.key(2), 1e-6, method="generate")
  greedy = jnp.zeros((B, T, F))
  for t in range(T):
    greedy = greedy.at[:, t].set((decoder.apply(variables, z, greedy)[:, t] > 0).astype(jnp.float32))
  np.testing.assert_array_equal(sampled, greedy)
  assert 0 < float(greedy.mean()) < 1
