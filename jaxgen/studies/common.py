"""What the studies share: a resumable, reusable sweep per setting, per-seed statistics, and report tables."""

import copy
import json
import pathlib
import time
from typing import Any, NamedTuple

import jax
import numpy as np

from jaxgen import experiment
from jaxgen.data.real import RealData
from jaxgen.engine import workdir as workdir_lib


class StudyRun(NamedTuple):
  """A finished sweep of a study: eval.json contents, training seconds, and the trained state (leading seed axis)."""

  result: dict
  seconds: float
  state: Any
  method: Any
  real: RealData


def study_run(config, run_dir: pathlib.Path, seeds: list[int], settings: dict | None = None) -> StudyRun:
  """Trains, resumes or reuses one sweep of a study (`jaxgen.experiment.train_and_evaluate`).

  `settings` are per-seed state fields (`engine.train`). A finished run
  (eval.json, and study.json recording the same config, seeds and settings)
  is not trained or evaluated again: its final checkpoint is restored, and
  `seconds` is the training time of the invocation that made it.
  """
  eval_path, study_path, seconds_path = run_dir / "eval.json", run_dir / "study.json", run_dir / "seconds.txt"
  requested = {**workdir_lib.config_to_dict(config), "seeds": seeds, **({"settings": settings} if settings else {})}
  finished = eval_path.exists() and study_path.exists() and json.loads(study_path.read_text()) == requested
  start = time.time()
  if finished:  # Restores the final checkpoint; nothing left to train.
    state, method, real = experiment.train(config, run_dir, seeds=seeds, settings=settings, progress=False)
    return StudyRun(json.loads(eval_path.read_text()),
                    float(seconds_path.read_text()) if seconds_path.exists() else float("nan"), state, method, real)
  result, state, method, real = experiment.train_and_evaluate(config, run_dir, seeds=seeds, settings=settings)
  study_path.write_text(json.dumps(requested, indent=2, sort_keys=True) + "\n")
  seconds_path.write_text(f"{time.time() - start:.1f}\n")
  return StudyRun(result, time.time() - start, state, method, real)


def timed_samples(fn, *args) -> tuple[jax.Array, float]:
  """(fn(*args), wall seconds per 1,000 samples of that call): compiled ahead, so compiling is not timed.

  `fn` is jitted here, unless it already is (a `jax.jit` function without static arguments): then it keeps its
  programs, and timing it again on arguments of the same shapes compiles nothing. Pass the state as an
  argument, not inside a closure, or its values are compiled into the program as constants.
  """
  compiled = (fn if hasattr(fn, "lower") else jax.jit(fn)).lower(*args).compile()
  start = time.time()
  out = jax.block_until_ready(compiled(*args))
  return out, (time.time() - start) * 1000 / len(out)


def member(state, i: int):
  """Member i of a sweep's stacked state."""
  return jax.tree.map(lambda x: x[i], state)


def series(run_dir: pathlib.Path, name: str) -> tuple[np.ndarray, np.ndarray]:
  """(steps [T], values [T, seeds]) of a metric logged by a sweep in `run_dir`."""
  records = [r for r in workdir_lib.read_metrics(run_dir) if name in r]
  return np.array([r["step"] for r in records]), np.array([r[name] for r in records], np.float64)


def mean_and_se(values) -> tuple[float, float]:
  """Mean and standard error (sample std with ddof=1, over sqrt(n); 0 for one value) of a list of numbers."""
  values = np.asarray(values, np.float64)
  if not np.all(np.isfinite(values)):
    return float(values.mean()), float("nan")  # E.g. KL = inf: some seed has no high-quality sample.
  se = values.std(ddof=1) / np.sqrt(len(values)) if len(values) > 1 else 0.0
  return float(values.mean()), float(se)


def fmt(values, scale: float = 1.0, digits: int = 3) -> str:
  """'mean ± s.e.' of per-seed values (times `scale`, e.g. 100 for percent)."""
  mean, se = mean_and_se(values)
  return f"{mean * scale:.{digits}g} ± {se * scale:.2g}"


def summary_tables(rows: list[tuple[str, dict]], names: list[str] | None = None) -> tuple[str, str]:
  """(markdown, csv) tables of per-seed results: one row per setting, mean +- s.e. per metric.

  Args:
    rows: (setting name, result) pairs; a result maps metric names to lists
      over seeds (as `jaxgen.experiment.final_evaluation` returns for a sweep) and "seeds".
    names: the metrics to show, in order; default: every scalar metric of the first row.
  """
  names = names or [k for k, v in rows[0][1].items() if k != "seeds" and np.ndim(v) == 1]
  md = ["| setting | seeds | " + " | ".join(names) + " |", "|---" * (len(names) + 2) + "|"]
  csv = ["setting,seeds," + ",".join(f"{n}_mean,{n}_se" for n in names)]
  for setting, result in rows:
    stats = [mean_and_se(result[n]) for n in names]
    md.append(f"| {setting} | {len(result['seeds'])} | " + " | ".join(f"{m:.3g} ± {s:.2g}" for m, s in stats) + " |")
    csv.append(f"{setting},{len(result['seeds'])}," + ",".join(f"{m:.6g},{s:.6g}" for m, s in stats))
  return "\n".join(md) + "\n", "\n".join(csv) + "\n"


TRAIN_TIME_NOTE = ("Train time: training and end-of-run evaluation of the sweep (nan: reused from an earlier "
                   "invocation).")


def write_report(workdir: pathlib.Path, lines: list[str]) -> str:
  """Writes the report's lines to `workdir/report.md`; returns its text."""
  report = "\n".join(lines)
  (workdir / "report.md").write_text(report)
  return report


def smoke_subset(table, names, smoke: bool):
  """A study's table of settings (a dict by name, or a tuple of names), cut to `names` when `smoke`.

  A smoke run (tests) then builds every table and figure of the report from
  those settings only, seconds per setting; the full and --quick runs train
  every setting.
  """
  if not smoke:
    return table
  if isinstance(table, dict):
    return {name: value for name, value in table.items() if name in names}
  return tuple(name for name in table if name in names)


def slug(name: str) -> str:
  """A setting's name as a directory name: lower case, non-alphanumerics as '_'."""
  return "".join(ch if ch.isalnum() else "_" for ch in name.lower()).strip("_")


def shorten(config, quick_steps: int | None):
  """The study's copy of a config; `quick_steps` (--quick) caps the steps, and the checkpoint/figure intervals
  never exceed the run."""
  config = copy.deepcopy(config)
  if quick_steps:
    config.train.steps = min(config.train.steps, quick_steps)
  for name in ("checkpoint_every", "figure_every"):
    config.train[name] = min(config.train[name], config.train.steps)
  return config
