"""End to end through `python -m launch.train`, as a user runs it."""

import contextlib
import json
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

from configs import ring_gan
from jaxgen import experiment
from jaxgen.engine import workdir as workdir_lib

ROOT = pathlib.Path(__file__).resolve().parents[1]


def launch(*args, data_dir, script="train"):
  env = dict(os.environ, TFDS_DATA_DIR=data_dir)
  return subprocess.run([sys.executable, "-m", f"launch.{script}", *args], cwd=ROOT, env=env,
                        capture_output=True, text=True, timeout=300)


def test_smoke_run_writes_the_workdir(tmp_path, tfds_data_dir):
  workdir = tmp_path / "run"
  result = launch("--config", "configs/mnist_wgan_gp.py:smoke", "--workdir", str(workdir),
                  "--config.model.generator_widths=(32,64)", "--config.model.critic_widths=(64,32)",
                  data_dir=tfds_data_dir)
  assert result.returncode == 0, result.stderr[-3000:]
  assert json.loads((workdir / "config.json").read_text())["model"]["generator_widths"] == [32, 64]
  steps = [json.loads(line)["step"] for line in (workdir / "metrics.jsonl").read_text().splitlines()]
  assert steps == [5, 10, 15, 20]
  assert list((workdir / "tensorboard").glob("events.out.tfevents.*"))
  assert sorted(p.name for p in (workdir / "checkpoints").iterdir()) == ["10", "20"]
  for figure in ("samples.png", "losses.png"):
    assert (workdir / "figures" / figure).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
  report = json.loads((workdir / "eval.json").read_text())
  assert set(report) == {"frechet_distance_pixels", "class_fractions", "classes_covered"}


def test_unknown_config_key_lists_the_valid_keys(tmp_path, tfds_data_dir):
  result = launch("--config", "configs/mnist_gan.py", "--workdir", str(tmp_path / "run"),
                  "--config.train.stepz=5", data_dir=tfds_data_dir)
  assert result.returncode != 0
  assert 'Did you mean "steps"' in result.stderr
  assert "train.steps_per_call" in result.stderr and "method.n_critic" in result.stderr
  assert not (tmp_path / "run").exists()


def test_sweep_over_seeds_and_a_grid_writes_per_seed_results_and_summaries(tmp_path, tfds_data_dir):
  workdir = tmp_path / "sweep"
  env = dict(os.environ, TFDS_DATA_DIR=tfds_data_dir)
  args = ["--config", "configs/ring_gan.py:smoke", "--workdir", str(workdir), "--seeds", "2",
          "--grid", "method.unroll_steps=0,1", "--config.model.generator_widths=(16,16)",
          "--config.model.critic_widths=(16,)"]
  result = subprocess.run([sys.executable, "-m", "launch.sweep", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
  assert result.returncode == 0, result.stderr[-3000:]
  for name, unroll in (("unroll_steps=0", 0), ("unroll_steps=1", 1)):
    run = workdir / name
    assert json.loads((run / "config.json").read_text())["method"]["unroll_steps"] == unroll
    evaluation = json.loads((run / "eval.json").read_text())
    assert evaluation["seeds"] == [0, 1] and len(evaluation["modes_captured"]) == 2
    records = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    assert all(len(r["d_loss"]) == 2 for r in records if "d_loss" in r)
    assert [r["step"] for r in records if "modes_captured" in r] == [10, 20]  # The coverage time series.
  csv = (workdir / "summary.csv").read_text().splitlines()
  assert csv[0].startswith("setting,seeds,modes_captured_mean,modes_captured_se")
  assert [line.split(",")[0] for line in csv[1:]] == ["unroll_steps=0", "unroll_steps=1"]
  assert "±" in (workdir / "summary.md").read_text()


RING = ("--config", "configs/ring_gan.py:smoke", "--config.model.generator_widths=(16,16)",
        "--config.model.critic_widths=(16,)")
# case: (script, arguments before --workdir, what stderr must name, the workdir: "none" (it must not be
# created), "finished" (a copy of a finished run of RING, which must stay byte for byte), "busy" (the same,
# locked by this test's process), "corrupt" (the same, with a garbage checkpoint 20), "diverges" (new; the
# run starts)).
BAD_INPUTS = {
    "missing config file": ("train", ("--config", "configs/nope.py"), "configs/nope.py", "none"),
    "bad config argument": ("train", ("--config", "configs/ring_gan.py:bogus"), "'bogus'", "none"),
    "unknown config key": ("sweep", (*RING, "--config.method.bogus=1"), "method.bogus", "none"),
    "value of the wrong type": ("train", (*RING, "--config.method.n_critic=abc"), "n_critic", "none"),
    "workdir that cannot be made": ("train", (*RING, "--workdir=/proc/version/run"), "/proc/version/run", "none"),
    "negative learning rate": ("train", (*RING, "--config.optimizer.generator.learning_rate=-0.1"),
                               "optimizer.generator.learning_rate", "none"),
    "unknown objective": ("sweep", (*RING, "--config.method.objective=foo"), "'foo'", "none"),
    "unknown grid key": ("sweep", (*RING, "--grid", "method.nope=1,2"), "method.nope", "none"),
    "batch larger than the data": ("train", ("--config", "configs/mnist_gan.py:smoke", "--config.method.batch_size="
                                             "5000"), "method.batch_size = 5000", "none"),
    "missing MIDI folder": ("train", ("--config", "configs/drums_hvae.py:smoke", "--config.data.name=drum_midi",
                                      "--config.data.midi_dir=/nonexistent/groove"), "/nonexistent/groove", "none"),
    "changed config": ("train", (*RING, "--config.seed=3"), "seed: saved 0, requested 3", "finished"),
    "busy workdir": ("train", RING, f"in use by pid {os.getpid()}", "busy"),
    "--fresh on a busy workdir": ("sweep", (*RING, "--fresh"), f"in use by pid {os.getpid()}", "busy"),
    "corrupt checkpoint": ("train", (*RING, "--config.train.steps=30"), "checkpoints/20", "corrupt"),
    "diverging sweep": ("sweep", (*RING, "--seeds=2", "--config.optimizer.critic.learning_rate=1e30",
                                  "--config.optimizer.generator.learning_rate=1e30"), "at step 1 (seeds 0, 1)",
                        "diverges"),
}


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory):
  """A finished run of RING (as `launch.train` would leave it)."""
  config = ring_gan.get_config("smoke")
  config.model.generator_widths, config.model.critic_widths = (16, 16), (16,)
  workdir = tmp_path_factory.mktemp("finished") / "run"
  experiment.train_and_evaluate(config, workdir, progress=False)
  return workdir


def files(folder: pathlib.Path) -> dict:
  return {p: p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_a_bad_input_ends_in_one_line_and_loses_nothing(case, tmp_path, finished_run, tfds_data_dir):
  script, args, named, kind = BAD_INPUTS[case]
  workdir = tmp_path / "run"
  if kind in ("finished", "busy", "corrupt"):
    shutil.copytree(finished_run, workdir)
  if kind == "corrupt":
    for f in (workdir / "checkpoints" / "20").rglob("*"):
      if f.is_file():
        f.write_bytes(b"garbage")
  before = files(tmp_path)
  with workdir_lib.lock(workdir) if kind == "busy" else contextlib.nullcontext():
    given = any(a.startswith("--workdir=") for a in args)
    result = launch(*args, *([] if given else ["--workdir", str(workdir)]), data_dir=tfds_data_dir, script=script)
  lines = result.stderr.strip().splitlines()
  assert result.returncode == 1 and len(lines) <= 3 and "Traceback" not in result.stderr, result.stderr[-3000:]
  assert any(line.startswith("FATAL ") and named in line for line in lines), result.stderr
  if kind == "none":
    assert not workdir.exists()
  elif kind != "diverges":
    assert files(tmp_path) == before  # Nothing written, moved or removed.
