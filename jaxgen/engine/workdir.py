"""The run directory: its saved config and its metric logs.

Layout of a workdir:
  config.json       the config the run was started with
  lock              held (an OS file lock) by the process training in the workdir: its pid and host
  metrics.jsonl     one JSON object per logged step: {"step": s, "<metric>": value, ...};
                    in a sweep each value is a list over the seeds
  tensorboard/      TensorBoard event files of the same metrics (`<metric>/seed_<s>` in a sweep)
  checkpoints/      Orbax checkpoints, one folder per saved step
  figures/          samples.png, losses.png, samples/step_<step>.npy
"""

import contextlib
import datetime
import fcntl
import json
import math
import os
import pathlib
import socket

import ml_collections

LOCK_FILE = "lock"

# Keys that may change between a run and its resumption: they do not change
# what a step computes. Raising train.steps extends a finished run; eval.num_samples
# is read by the final evaluation alone, so a finished run may be scored again on more or fewer samples.
RESUMABLE_CHANGES = ("train.steps", "train.mesh.seed", "train.mesh.data",  # A run resumes on any mesh.
                     "eval.num_samples")


def _added_switched_off(key: str, saved: dict, wanted: dict) -> bool:
  """A key the saved config lacks, requested at an "off" value (0, False, None, empty).

  Such a key is a switch added to the project after the run was saved: its
  off value is what the saved run computed, so the run may be resumed or
  reused (config.json is then rewritten with the key).
  """
  return key not in saved and not wanted.get(key)


class ConfigMismatchError(ValueError):
  """The workdir holds a run of a different config."""


class WorkdirInUseError(RuntimeError):
  """Another process is training in the workdir."""


class CorruptWorkdirError(RuntimeError):
  """A file of the workdir that a resume reads is unreadable (and not just cut short by a crash)."""


def write_atomic(path: pathlib.Path, data: str | bytes) -> None:
  """Writes `path` whole or not at all: a temporary sibling, flushed to disk, then renamed over it."""
  tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
  with open(tmp, "wb") as f:
    f.write(data.encode() if isinstance(data, str) else data)
    f.flush()
    os.fsync(f.fileno())
  os.replace(tmp, path)


@contextlib.contextmanager
def lock(workdir: pathlib.Path):
  """Holds `workdir/lock` (created with the workdir) for one process at a time.

  An OS-level lock (`fcntl.flock`), so the kernel frees it when the holder
  exits or is killed: a crashed run never leaves the workdir stuck. The file
  names the holder ("pid 123 on host") for the error another process gets.

  Raises:
    WorkdirInUseError: another process holds it; names that process.
  """
  workdir.mkdir(parents=True, exist_ok=True)
  f = open(workdir / LOCK_FILE, "a+", encoding="utf-8")  # pylint: disable=consider-using-with
  try:
    fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
  except BlockingIOError:
    f.seek(0)
    owner = f.read().strip() or "another process"
    f.close()
    raise WorkdirInUseError(f"{workdir} is in use by {owner}; wait for it to end, or use another --workdir") from None
  f.seek(0)
  f.truncate()
  f.write(f"pid {os.getpid()} on {socket.gethostname()}\n")
  f.flush()
  try:
    yield
  finally:
    f.truncate(0)  # Empty while nobody holds it.
    fcntl.flock(f, fcntl.LOCK_UN)
    f.close()


def move_aside(workdir: pathlib.Path) -> pathlib.Path:
  """Renames `workdir` to `<workdir>.old-<UTC time>` (nothing is deleted) and returns the new path.

  Raises:
    WorkdirInUseError: another process is training in it; nothing is moved.
  """
  with lock(workdir):
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%d-%H%M%S")
    moved = workdir.with_name(f"{workdir.name}.old-{stamp}")
    workdir.rename(moved)
  print(f"Moved the previous run to {moved}")
  return moved


def _flatten(d: dict, prefix: str = "") -> dict:
  out = {}
  for k, v in d.items():
    if isinstance(v, dict):
      out.update(_flatten(v, f"{prefix}{k}."))
    else:
      out[f"{prefix}{k}"] = v
  return out


def flat_config(config: ml_collections.ConfigDict) -> dict:
  """{dotted key (e.g. "train.steps"): value} of every leaf of `config`, as saved (tuples become lists)."""
  return _flatten(config_to_dict(config))


def config_keys(config: ml_collections.ConfigDict) -> list[str]:
  """The dotted names of all leaves of `config`, sorted (e.g. "train.steps")."""
  return sorted(flat_config(config))


def config_to_dict(config: ml_collections.ConfigDict) -> dict:
  """The config as plain JSON types (tuples become lists), as it is saved."""
  return json.loads(config.to_json_best_effort())


def check_config(workdir: pathlib.Path, config: ml_collections.ConfigDict, extra: dict | None = None) -> str | None:
  """Checks that the workdir is new or holds a run of the same config; call it holding `lock(workdir)`.

  Args:
    workdir: the run directory.
    config: the requested config.
    extra: more top-level entries saved and compared with the config (the
      seeds of a sweep).

  Returns:
    The config.json text to write (`write_atomic`) once the run has started:
    None when the saved one is the same, so a resume leaves it untouched.

  Raises:
    ConfigMismatchError: when `workdir/config.json` differs from `config` in
      a key other than `RESUMABLE_CHANGES` (a key it lacks counts only when
      requested at a value other than 0, False, None or empty); lists up to 5
      of the differing keys.
    CorruptWorkdirError: config.json is not JSON.
  """
  config_path = workdir / "config.json"
  requested = {**config_to_dict(config), **(extra or {})}
  text = json.dumps(requested, indent=2, sort_keys=True) + "\n"
  if not config_path.exists():
    return text
  try:
    saved_text = config_path.read_text()
    saved = _flatten(json.loads(saved_text))
  except (json.JSONDecodeError, UnicodeDecodeError) as e:
    raise CorruptWorkdirError(f"{config_path} is not valid JSON ({e}); it cannot be checked against the "
                              "requested config. Use another --workdir, or --fresh to move this run aside.") from None
  wanted = _flatten(requested)
  diffs = [f"{k}: saved {saved.get(k, '<absent>')!r}, requested {wanted.get(k, '<absent>')!r}"
           for k in sorted(set(saved) | set(wanted))
           if k not in RESUMABLE_CHANGES and saved.get(k) != wanted.get(k)
           and not _added_switched_off(k, saved, wanted)]
  if diffs:
    more = f" and {len(diffs) - 5} more" if len(diffs) > 5 else ""
    raise ConfigMismatchError(f"{workdir} holds a run with a different config ({'; '.join(diffs[:5])}{more}). "
                              "Use another --workdir, or --fresh to move the old run aside and start over.")
  return None if saved_text == text else text


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
    write_atomic(self.path, "".join(json.dumps(r) + "\n" for r in kept))
    # Imported here, not at the top: tensorboardX imports PyTorch where it is installed (2 s), which a
    # command that fails on its flags, config or workdir should not wait for.
    import tensorboardX  # pylint: disable=g-import-not-at-top
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
  """The records of `workdir/metrics.jsonl`, [] if there is none.

  A last line cut short (what a crash in the middle of a write leaves) is
  skipped: every whole record is kept. (`MetricWriter` then rewrites the file
  without it on resume.)

  Raises:
    CorruptWorkdirError: a line other than the last is not a JSON record;
      names the file and the line.
  """
  path = workdir / "metrics.jsonl"
  if not path.exists():
    return []
  lines = path.read_bytes().split(b"\n")
  records = []
  for i, line in enumerate(lines):
    if not line.strip():
      continue
    try:
      records.append(json.loads(line))
    except (json.JSONDecodeError, UnicodeDecodeError):
      if i == len(lines) - 1:  # No newline after it: the write was cut short.
        break
      raise CorruptWorkdirError(f"{path}, line {i + 1}, is not a JSON record: {line[:80]!r}. Remove that line "
                                "to resume, or use --fresh to move the run aside.") from None
  return records


