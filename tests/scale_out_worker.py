"""Trains the ring GAN's smoke config on device meshes, in a process with simulated CPU devices.

Run by tests/test_scale_out.py as `python -m tests.scale_out_worker WORKDIR` with 8 devices
(`--xla_force_host_platform_device_count=8` in $XLA_FLAGS), it trains
  an 8-seed sweep on a (seed=8, data=1) mesh -> WORKDIR/seeds;
  a single run on (seed=1, data=8) -> WORKDIR/data;
  a 4-seed sweep saved at step 10 on (seed=2, data=4) -> WORKDIR/half, copied to WORKDIR/remeshed and
    continued to step 20 on (seed=4, data=2);
  a 4-seed sweep on (seed=4, data=2) -> WORKDIR/eight (what two processes of 4 devices must give).
"""

import pathlib
import shutil
import sys

from configs import ring_gan
from jaxgen import experiment

SEEDS = [0, 1, 2, 3]
ALL_SEEDS = list(range(8))  # One per device on the seed mesh.
STEPS = 20


def config(seed_axis: int = 0, data_axis: int = 0, steps: int = STEPS):
  """The ring GAN smoke config (batch 16) on a (seed_axis, data_axis) mesh, 0 = automatic."""
  c = ring_gan.get_config("smoke")
  c.train.steps = steps
  c.train.mesh.seed, c.train.mesh.data = seed_axis, data_axis
  return c


def main(workdir: pathlib.Path) -> None:
  experiment.train(config(8, 1), workdir / "seeds", seeds=ALL_SEEDS, progress=False)
  experiment.train(config(1, 8), workdir / "data", progress=False)
  experiment.train(config(2, 4, steps=STEPS // 2), workdir / "half", seeds=SEEDS, progress=False)
  shutil.copytree(workdir / "half", workdir / "remeshed")
  experiment.train(config(4, 2), workdir / "remeshed", seeds=SEEDS, progress=False)
  experiment.train(config(4, 2), workdir / "eight", seeds=SEEDS, progress=False)


if __name__ == "__main__":
  main(pathlib.Path(sys.argv[1]))
