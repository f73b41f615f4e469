"""End to end through `python -m launch.train`, as a user runs it."""

import json
import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]


def launch(*args, data_dir):
  env = dict(os.environ, TFDS_DATA_DIR=data_dir)
  return subprocess.run([sys.executable, "-m", "launch.train", *args], cwd=ROOT, env=env,
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
