"""`jaxgen.experiment`'s checks of a config before anything is built or written."""

import importlib
import pathlib

import jax
import numpy as np
import pytest

from jaxgen import experiment
from jaxgen.engine.workdir import flat_config

CONFIGS = sorted(p.stem for p in (pathlib.Path(__file__).resolve().parents[1] / "configs").glob("*.py")
                 if p.stem not in ("__init__", "base"))
CANDIDATES = (-1, 0, 0.5, 1, 1.5)  # Among them, a value outside every range of VALID_RANGES.


def numeric_items(config):
  for key, value in flat_config(config).items():
    values = value if isinstance(value, list) else [value]
    if values and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
      yield key, value


@pytest.mark.parametrize("name", CONFIGS)
def test_every_numeric_key_has_a_range_that_refuses_a_bad_value_by_name(name):
  module = importlib.import_module(f"configs.{name}")
  for arg in ("", "smoke"):
    assert not experiment.range_errors(module.get_config(arg))
  config = module.get_config("smoke")
  for key, value in numeric_items(config):
    refused = 0
    for candidate in CANDIDATES:
      bad = module.get_config("smoke")
      kind = type(value[0] if isinstance(value, list) else value)
      if kind is int and not float(candidate).is_integer():
        continue  # An int key takes only ints (ml_collections is typed).
      bad.update_from_flattened_dict({key: [kind(candidate)] * len(value) if isinstance(value, list)
                                      else kind(candidate)})
      errors = experiment.range_errors(bad)
      assert all(e.startswith(f"{key} = ") for e in errors), errors  # Only the changed key, by name.
      refused += bool(errors)
    assert refused or key == "seed", f"{name}: no value of {CANDIDATES} is refused for {key}"


def test_a_negative_learning_rate_stops_the_build_before_the_data_is_touched(monkeypatch):
  from configs import mnist_gan  # pylint: disable=g-import-not-at-top
  config = mnist_gan.get_config("smoke")
  config.optimizer.generator.learning_rate = -1e-3
  config.optimizer.critic.b2 = 1.0
  monkeypatch.setattr(experiment, "make_real", lambda *_: pytest.fail("data loaded for a bad config"))
  with pytest.raises(ValueError, match=r"optimizer.generator.learning_rate = -0.001 must be > 0; "
                                       r"optimizer.critic.b2 = 1.0 must be in \[0, 1\)"):
    experiment.build(config)


def test_the_final_evaluation_draws_its_samples_a_chunk_at_a_time():
  """Bounded memory: 2,500 samples are three calls of at most 1,000 (keys folded by chunk); a count within
  one chunk is the single call it was before chunking."""
  from tests import helpers  # pylint: disable=g-import-not-at-top
  method = helpers.toy_method()
  calls = []
  sample = method.sample
  method = method._replace(sample=lambda state, key, n: calls.append(n) or sample(state, key, n))
  state, key = method.init(jax.random.key(0)), jax.random.key(1)
  samples = experiment.sample_in_chunks(method, state, key, 2500)
  assert calls == [1000, 1000, 500] and samples.shape == (2500, 2, 2, 1)
  np.testing.assert_array_equal(samples[2000:], sample(state, jax.random.fold_in(key, 2), 500))
  np.testing.assert_array_equal(experiment.sample_in_chunks(method, state, key, 1000), sample(state, key, 1000))
