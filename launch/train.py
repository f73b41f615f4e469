r"""Trains a generative model from a config file; re-running the command resumes.

  python -m launch.train --config configs/mnist_wgan_gp.py --workdir runs/mnist_wgan_gp
  python -m launch.train --config configs/mnist_gan.py:smoke --workdir /tmp/smoke \
      --config.train.steps=40

Override any config key with `--config.<key>=<value>`; an unknown key is an
error that lists the valid ones. The workdir receives config.json,
metrics.jsonl, tensorboard/, checkpoints/, figures/ and eval.json. For many
seeds at once, use `python -m launch.sweep`.
"""

import json
import pathlib
import sys

from absl import app
from absl import flags

from jaxgen import experiment
from launch import common

flags.mark_flags_as_required(["config", "workdir"])


def main(argv):
  if len(argv) > 1:
    raise app.UsageError(f"unexpected arguments: {argv[1:]}")
  common.quiet_logging()
  config = common.CONFIG.value
  try:
    result, *_ = experiment.train_and_evaluate(config, common.WORKDIR.value, fresh=common.FRESH.value)
  except common.EXPECTED_ERRORS as e:  # Say what and how, no traceback.
    sys.exit(f"FATAL {type(e).__name__}: {e}")
  print(f"eval: {json.dumps(result)}\nfigures: {pathlib.Path(common.WORKDIR.value) / 'figures'}")


if __name__ == "__main__":
  app.run(main, flags_parser=common.parse_flags)
