r"""Trains a generative model from a config file; re-running the command resumes.

  python -m launch.train --config configs/mnist_wgan_gp.py --workdir runs/mnist_wgan_gp
  python -m launch.train --config configs/mnist_gan.py:smoke --workdir /tmp/smoke \
      --config.train.steps=40

Override any config key with `--config.<key>=<value>`; an unknown key is an
error that lists the valid ones. The workdir receives config.json,
metrics.jsonl, tensorboard/, checkpoints/, figures/ and eval.json.
"""

import functools
import json
import pathlib
import sys

from absl import app
from absl import flags
from absl import logging
import jax
from ml_collections import config_flags

from jaxgen import data as data_lib
from jaxgen import engine
from jaxgen import metrics
from jaxgen.engine.loop import run_keys
from jaxgen.engine.workdir import config_keys
from jaxgen.methods import METHODS

_CONFIG = config_flags.DEFINE_config_file("config", None, "Experiment config file (configs/*.py[:arg]).",
                                          lock_config=True)
_WORKDIR = flags.DEFINE_string("workdir", None, "Run directory; an existing run there is resumed.")
_FRESH = flags.DEFINE_bool("fresh", False, "Move an existing run in --workdir aside and start over.")
flags.mark_flags_as_required(["config", "workdir"])


def evaluate(method, state, config, train, test) -> dict:
  """Scores `config.eval.num_samples` samples against the data (see jaxgen.metrics.images)."""
  samples = method.sample(state, run_keys(config.seed)["eval"], config.eval.num_samples)
  to_float = data_lib.to_model_range
  return metrics.sample_quality(samples, to_float(test["image"]), to_float(train["image"]),
                                train["label"])


def parse_flags(argv: list[str]) -> list[str]:
  """absl flag parsing; a bad `--config.<key>` exits with an error that lists the valid keys."""
  try:
    return flags.FLAGS(argv)
  except (flags.Error, AttributeError, KeyError) as e:
    while e.args and isinstance(e.args[0], Exception):  # config_flags wraps KeyError in AttributeError.
      e = e.args[0]
    message = f"FATAL flags parsing error: {e.args[0] if isinstance(e, KeyError) else e}"
    # Load the config without the overrides (config_flags reads them from sys.argv) to list its keys.
    sys.argv = [a for a in argv if not a.startswith("--config.")]
    flags.FLAGS.unparse_flags()
    flags.FLAGS(sys.argv)
    sys.exit(f"{message}\nValid config keys (override with --config.<key>=<value>):\n  " +
             "\n  ".join(config_keys(flags.FLAGS["config"].value)))


def main(argv):
  if len(argv) > 1:
    raise app.UsageError(f"unexpected arguments: {argv[1:]}")
  if not flags.FLAGS["verbosity"].present:
    logging.set_verbosity(logging.WARNING)  # Orbax logs every save at INFO.
  config = _CONFIG.value
  if config.method.name not in METHODS:
    raise app.UsageError(f"config.method.name={config.method.name!r}; choose one of {sorted(METHODS)}")
  data_dir = config.data.data_dir or None
  try:
    train = data_lib.load(config.data.name, "train", data_dir)
    test = data_lib.load(config.data.name, "test", data_dir)
    method = METHODS[config.method.name](config, functools.partial(data_lib.random_batch, jax.device_put(train["image"])))
    state = engine.train(method, config, _WORKDIR.value, fresh=_FRESH.value)
  except (data_lib.DatasetNotFoundError, engine.ConfigMismatchError, engine.CorruptCheckpointError,
          FloatingPointError) as e:  # Expected failures: say what and how, no traceback.
    sys.exit(f"FATAL {type(e).__name__}: {e}")
  result = evaluate(method, state, config, train, test)
  workdir = pathlib.Path(_WORKDIR.value)
  (workdir / "eval.json").write_text(json.dumps(result, indent=2) + "\n")
  print(f"eval: {json.dumps(result)}\nfigures: {workdir / 'figures'}")


if __name__ == "__main__":
  app.run(main, flags_parser=parse_flags)
