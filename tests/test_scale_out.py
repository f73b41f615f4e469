"""Training on device meshes (`jaxgen.engine.mesh`): simulated CPU devices in subprocesses, compared here on one.

tests/scale_out_worker.py trains on 8 simulated devices, and `launch.sweep` as two real processes of 4 devices
each (jax.distributed with a 127.0.0.1 coordinator), the three subprocesses at once; this process, with its one
device, trains the same config unsharded and restores the subprocesses' checkpoints to compare.
"""

import os
import shutil
import socket
import subprocess
import sys

import chex
import jax
import pytest

from jaxgen import experiment
from jaxgen.engine import mesh as mesh_lib
from tests import scale_out_worker as worker

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
pytestmark = pytest.mark.xdist_group("scale_out")  # One worker: the module's fixture runs once.


@pytest.fixture(scope="module")
def meshes(tmp_path_factory):
  """The subprocesses' workdir, and the one-device 8-seed sweep of the same config (the reference; its first 4
  seeds are bit-equal to a 4-seed sweep's, as a sweep's seeds are to their single runs)."""
  path = tmp_path_factory.mktemp("meshes")
  with socket.socket() as s:  # A free port for the coordinator.
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
  two_processes = ["-m", "launch.sweep", "--config", "configs/ring_gan.py:smoke", "--seeds", "4",
                   "--workdir", str(path / "two_processes"), "--config.train.mesh.seed=4", "--config.train.mesh.data=2",
                   f"--coordinator_address=127.0.0.1:{port}", "--num_processes=2"]
  procs = []
  for args, devices in ((["-m", "tests.scale_out_worker", str(path)], 8),
                        (two_processes + ["--process_id=0"], 4), (two_processes + ["--process_id=1"], 4)):
    env = {**os.environ, "XLA_FLAGS": f"{os.environ.get('XLA_FLAGS', '')} "
                                      f"--xla_force_host_platform_device_count={devices}"}
    procs.append(subprocess.Popen([sys.executable, *args], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True))
  reference, *_ = experiment.train(worker.config(), path / "reference", seeds=worker.ALL_SEEDS, progress=False)
  for proc in procs:
    out, _ = proc.communicate(timeout=600)
    assert proc.returncode == 0, out[-3000:]
  return path, reference


def restored(workdir, seeds=worker.SEEDS, steps=worker.STEPS):
  """The final state of a workdir's run, restored on this process's one device (the mesh key is resumable)."""
  return experiment.train(worker.config(steps=steps), workdir, seeds=seeds, progress=False)[0]


def first_four(state):
  return jax.tree.map(lambda x: x[:4], state)


def test_a_sweep_on_a_seed_mesh_gives_each_seed_its_one_device_run_exactly(meshes):
  path, reference = meshes
  chex.assert_trees_all_equal(restored(path / "seeds", seeds=worker.ALL_SEEDS), reference)


def test_a_batch_split_eight_ways_matches_the_one_device_run(meshes):
  path, reference = meshes
  single = restored(path / "data", seeds=None)
  chex.assert_trees_all_close(single, jax.tree.map(lambda x: x[0], reference), rtol=1e-5, atol=1e-5)


def test_a_checkpoint_resumes_on_another_mesh_and_on_one_device(meshes):
  """Saved at step 10 on (seed=2, data=4); continued on (seed=4, data=2) by the worker and on one device here."""
  path, reference = meshes
  shutil.copytree(path / "half", path / "one_device")
  chex.assert_trees_all_close(restored(path / "one_device"), first_four(reference), rtol=1e-5, atol=1e-5)
  chex.assert_trees_all_close(restored(path / "remeshed"), first_four(reference), rtol=1e-5, atol=1e-5)


def test_two_processes_train_what_one_process_with_all_their_devices_trains(meshes):
  """`launch.sweep` as two jax.distributed processes of 4 devices on (seed=4, data=2) against one process of 8."""
  path, _ = meshes
  two = restored(path / "two_processes")
  chex.assert_trees_all_close(two, restored(path / "eight"), rtol=1e-6, atol=1e-6)
  assert (path / "two_processes" / "eval.json").exists() and (path / "two_processes" / "summary.md").exists()


def test_a_mesh_that_does_not_fit_the_devices_seeds_or_batch_is_refused_by_name():
  """On this process's one device: automatic is no mesh at all; an explicit one must fit."""
  assert mesh_lib.make({}, 8, 64) is None and mesh_lib.make({"seed": 1, "data": 1}, None, 100) is None
  with pytest.raises(ValueError, match="must be the 1 devices"):
    mesh_lib.make({"seed": 4, "data": 2}, 8, 16)
  with pytest.raises(ValueError, match="a single run has one seed"):
    mesh_lib.make({"seed": 2, "data": 0}, None, 16)
