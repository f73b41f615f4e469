"""The run directory: its saved config and its metric logs.

Layout of a workdir:
  config.json       the config the run was started with
  metrics.jsonl     one JSON object per logged step: {"step": s, "<metric>": value, ...};
                    in a sweep each value is a list over the seeds
  tensorboard/      TensorBoard event files of the same metrics (`<metric>/seed_<s>` in a sweep)
  checkpoints/      Orbax checkpoints, one folder per saved step
  figures/          samples.png, losses.png, samples/step_<step>.npy
"""

import datetime
import json
import math
import pathlib

import ml_collections
import tensorboardX

# Keys that may change between a run and its resumption: they do not change
# what a step computes. Raising train.steps extends a finished run.
RESUMABLE_CHANGES = ("train.steps",)


class ConfigMismatchError(ValueError):
  """The workdir holds a run of a different config."""


def _flatten(d: dict, prefix: str = "") -> dict:
  out = {}
  for k, v in d.items():
    if isinstance(v, dict):
      out.update(_flatten(v, f"{prefix}{k}."))
    else:
      out[f"{prefix}{k}"] = v
  return out


def config_keys(config: ml_collections.ConfigDict) -> list[str]:
  """The dotted names of all leaves of `config`, sorted (e.g. "train.steps")."""
  return sorted(_flatten(config_to_dict(config)))


def config_to_dict(config: ml_collections.ConfigDict) -> dict:
  """The config as plain JSON types (tuples become lists), as it is saved."""
  return json.loads(config.to_json_best_effort())


def prepare(workdir: pathlib.Path, config: ml_collections.ConfigDict, fresh: bool = False,
            extra: dict | None = None) -> None:
  """Creates the workdir or checks that it holds a run of the same config.

  Args:
    workdir: the run directory.
    config: the requested config.
    fresh: start over: an existing workdir is moved aside to
      `<workdir>.old-<UTC time>` (nothing is deleted).
    extra: more top-level entries saved and compared with the config (the
      seeds of a sweep).

  Raises:
    ConfigMismatchError: when `workdir/config.json` differs from `config` in
      a key other than `RESUMABLE_CHANGES` and `fresh` is False. The workdir
      is left untouched.
  """
  config_path = workdir / "config.json"
  requested = {**config_to_dict(config), **(extra or {})}
  if fresh and workdir.exists():
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%d-%H%M%S")
    moved = workdir.with_name(f"{workdir.name}.old-{stamp}")
    workdir.rename(moved)
    print(f"Moved the previous run to {moved}")
  if config_path.exists():
    saved = _flatten(json.loads(config_path.read_text()))
    wanted = _flatten(requested)
    diffs = [
        f"  {k}: saved {saved.get(k, '<absent>')!r}, requested {wanted.get(k, '<absent>')!r}"
        for k in sorted(set(saved) | set(wanted))
        if k not in RESUMABLE_CHANGES and saved.get(k) != wanted.get(k)
    ]
    if diffs:
      raise ConfigMismatchError(
          f"{workdir} holds a run with a different config:\n" + "\n".join(diffs) +
          "\nUse another --workdir, or pass --fresh to move the old run aside and start over."
      )
  workdir.mkdir(parents=True, exist_ok=True)
  config_path.write_text(json.dumps(requested, indent=2, sort_keys=True) + "\n")


class MetricWriter:
  """Appends metrics to `metrics.jsonl` and TensorBoard events.

  On resumption from step `resume_step`, records of later steps (written
  after the checkpoint the run restarts from) are dropped from both, so the
  logs read as one uninterrupted run.
  """

  def __init__(self, workdir: pathlib.Path, resume_step: int = 0, seeds=None):
    self.path = workdir / "metrics.jsonl"
    self.seeds = seeds
    kept = [r for r in read_metrics(workdir) if r["step"] <= resume_step]
    self.path.write_text("".join(json.dumps(r) + "\n" for r in kept))
    self._tb = tensorboardX.SummaryWriter(str(workdir / "tensorboard"), purge_step=resume_step + 1)

  def write(self, step: int, scalars: dict[str, float | list[float]]) -> None:
    """One record; a list value holds one number per seed of a sweep (`seeds` order)."""
    with self.path.open("a") as f:
      f.write(json.dumps({"step": step, **scalars}) + "\n")
    for name, value in scalars.items():  # TensorBoard gets the finite values (e.g. not KL = inf).
      tagged = zip((f"{name}/seed_{s}" for s in self.seeds), value) if isinstance(value, list) else [(name, value)]
      for tag, v in tagged:
        if math.isfinite(v):
          self._tb.add_scalar(tag, v, step)

  def close(self) -> None:
    self._tb.close()


def read_metrics(workdir: pathlib.Path) -> list[dict]:
  """The records of `workdir/metrics.jsonl`, [] if there is none."""
  path = workdir / "metrics.jsonl"
  if not path.exists():
    return []
  return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


