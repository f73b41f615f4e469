"""Training on device meshes (`jaxgen.engine.mesh`): simulated CPU devices in subprocesses, compared here on one.

tests/scale_out_worker.py trains on 4 and 8 simulated devices (both subprocesses at once); this process, with
its one device, trains the same configs unsharded and restores the workers' checkpoints to compare.
"""

import os
import shutil
import subprocess
import sys

import chex
import jax
import pytest

from jaxgen import experiment
from tests import scale_out_worker as worker

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="module")
def meshes(tmp_path_factory):
  """The workers' workdirs, and the one-device 4-seed sweep of the same config (the reference)."""
  path = tmp_path_factory.mktemp("meshes")
  procs = []
  for task, devices in (("seeds", 4), ("data", 8)):
    env = {**os.environ, "XLA_FLAGS": f"{os.environ.get('XLA_FLAGS', '')} "
                                      f"--xla_force_host_platform_device_count={devices}"}
    procs.append(subprocess.Popen([sys.executable, "-m", "tests.scale_out_worker", task, str(path)], cwd=ROOT,
                                  env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
  reference, *_ = experiment.train(worker.config(), path / "reference", seeds=worker.SEEDS, progress=False)
  for proc in procs:
    out, _ = proc.communicate(timeout=600)
    assert proc.returncode == 0, out[-3000:]
  return path, reference


def restored(workdir, seeds=worker.SEEDS, steps=worker.STEPS):
  """The final state of a workdir's run, restored on this process's one device (the mesh key is resumable)."""
  return experiment.train(worker.config(steps=steps), workdir, seeds=seeds, progress=False)[0]


def test_a_sweep_on_a_seed_mesh_gives_each_seed_its_one_device_run_exactly(meshes):
  path, reference = meshes
  chex.assert_trees_all_equal(restored(path / "seeds"), reference)


def test_a_batch_split_eight_ways_matches_the_one_device_run(meshes):
  path, reference = meshes
  single = restored(path / "data", seeds=None)
  chex.assert_trees_all_close(single, jax.tree.map(lambda x: x[0], reference), rtol=1e-5, atol=1e-5)


def test_a_checkpoint_resumes_on_another_mesh_and_on_one_device(meshes):
  """Saved at step 10 on (seed=2, data=4); continued on (seed=4, data=2) by the worker and on one device here."""
  path, reference = meshes
  shutil.copytree(path / "half", path / "one_device")
  chex.assert_trees_all_close(restored(path / "one_device"), reference, rtol=1e-5, atol=1e-5)
  chex.assert_trees_all_close(restored(path / "remeshed"), reference, rtol=1e-5, atol=1e-5)
