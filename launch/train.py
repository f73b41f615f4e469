r"""Trains a generative model from a config file; re-running the command resumes.

  python -m launch.train --config configs/mnist_wgan_gp.py --workdir runs/mnist_wgan_gp
  python -m launch.train --config configs/mnist_gan.py:smoke --workdir /tmp/smoke \
      --config.train.steps=40

Override any config key with `--config.<key>=<value>`; an unknown key is an
error that lists the valid ones. The workdir receives config.json,
metrics.jsonl, tensorboard/, checkpoints/, figures/ and eval.json. For many
seeds at once, use `python -m launch.sweep`. A mistake (a bad value, a busy or
corrupt workdir, a missing dataset) ends the command with one line on stderr
and exit code 1; `--verbosity=1` shows the traceback.
"""

import json
import pathlib

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
  result, *_ = experiment.train_and_evaluate(config, common.WORKDIR.value, fresh=common.FRESH.value)
  print(f"eval: {json.dumps(result)}\nfigures: {pathlib.Path(common.WORKDIR.value) / 'figures'}")


if __name__ == "__main__":
  common.run(main)
