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
