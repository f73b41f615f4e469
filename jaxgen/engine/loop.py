"""The training loop: jitted, K steps fused per call, checkpointed, resumable.

It drives any `Method` and knows nothing about GANs or VAEs. Per-step keys are
`fold_in(step_key, step)` with the absolute step number, and the chunks of
steps fused per call break at the same absolute steps in every run of a
config, so a resumed run repeats exactly the computation of an uninterrupted
one (bit-identical parameters).
"""

import functools
import pathlib

import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import tqdm

from jaxgen import plots
from jaxgen.engine import checkpoint
from jaxgen.engine import workdir as workdir_lib
from jaxgen.methods.base import Method


def run_keys(seed: int) -> dict[str, jax.Array]:
  """The run's keys, each `fold_in(key(seed), i)`: init (method.init), steps (folded
  again with the step number), figures (fixed latents of samples.png), eval (eval.json)."""
  root = jax.random.key(seed)
  return {name: jax.random.fold_in(root, i) for i, name in enumerate(("init", "steps", "figures", "eval"))}


def scan_steps(step_fn, step_key: jax.Array, state, steps: jax.Array):
  """Runs `step_fn` over `steps` (int32 [K] absolute step numbers) with `lax.scan`.

  Returns:
    (state after K steps, metrics stacked to [K]).
  """
  def body(state, step):
    return step_fn(state, jax.random.fold_in(step_key, step))
  return jax.lax.scan(body, state, steps)


def next_chunk(step: int, train: ml_collections.ConfigDict) -> int:
  """How many steps to fuse from `step`: up to `steps_per_call`, stopping at every
  multiple of log_every, checkpoint_every and figure_every and at the last step."""
  end = min(step + train.steps_per_call, train.steps)
  for every in (train.log_every, train.checkpoint_every, train.figure_every):
    end = min(end, (step // every + 1) * every)
  return end - step


def _first_non_finite(metrics: dict[str, np.ndarray], first_step: int):
  for i in range(len(next(iter(metrics.values())))):
    for name in sorted(metrics):
      if not np.isfinite(metrics[name][i]):
        return first_step + i + 1, name, float(metrics[name][i])
  return None


def write_figures(method: Method, state, figures_key: jax.Array, workdir: pathlib.Path) -> None:
  """samples.png (8x8 samples from fixed latents) and losses.png (metrics.jsonl curves)."""
  figdir = workdir / "figures"
  figdir.mkdir(exist_ok=True)
  samples = np.asarray(method.sample(state, figures_key, 64))
  plots.image_grid(samples).savefig(figdir / "samples.png")
  records = workdir_lib.read_metrics(workdir)
  if records:
    plots.metric_curves(records).savefig(figdir / "losses.png")


def train(method: Method, config: ml_collections.ConfigDict, workdir: str | pathlib.Path,
          fresh: bool = False, progress: bool = True):
  """Trains `method` for `config.train.steps` steps, resuming from `workdir` if it holds a run.

  Reads `config.seed` and `config.train`: steps, steps_per_call (K, steps
  fused per jitted call), log_every, checkpoint_every, figure_every,
  keep_checkpoints (all in steps).

  Args:
    method: the training method.
    config: the full experiment config (saved to `workdir/config.json`).
    workdir: the run directory (see `jaxgen.engine.workdir` for its layout).
    fresh: move an existing run in `workdir` aside and start over.
    progress: show a tqdm progress bar.

  Returns:
    The final state.

  Raises:
    ValueError: a `config.train` count is below 1.
    ConfigMismatchError: `workdir` holds a run of another config.
    CorruptCheckpointError: the latest checkpoint cannot be restored.
    FloatingPointError: a metric became NaN or infinite; names the step and
      metric. The last checkpoint written before it is kept.
  """
  workdir = pathlib.Path(workdir)
  train_cfg = config.train
  for name in ("steps", "steps_per_call", "log_every", "checkpoint_every", "figure_every", "keep_checkpoints"):
    if train_cfg[name] < 1:
      raise ValueError(f"config.train.{name} must be >= 1, got {train_cfg[name]}")
  workdir_lib.prepare(workdir, config, fresh=fresh)
  keys = run_keys(config.seed)
  mngr = checkpoint.manager(workdir, train_cfg.keep_checkpoints)
  state = method.init(keys["init"])
  step = mngr.latest_step() or 0
  if step:
    state = checkpoint.restore(mngr, step, state)
  writer = workdir_lib.MetricWriter(workdir, resume_step=step)
  run = jax.jit(functools.partial(scan_steps, method.step, keys["steps"]), donate_argnums=0)
  bar = tqdm.tqdm(total=train_cfg.steps, initial=step, disable=not progress, unit="step",
                  dynamic_ncols=True)
  pending = []  # Metrics of the steps since the last log line.
  try:
    while step < train_cfg.steps:
      k = next_chunk(step, train_cfg)
      state, metrics = run(state, jnp.arange(step, step + k, dtype=jnp.int32))
      metrics = jax.device_get(metrics)
      bad = _first_non_finite(metrics, step)
      if bad:
        raise FloatingPointError(
            f"{bad[1]} = {bad[2]} at step {bad[0]}; training stopped. The last good checkpoint "
            f"(step {mngr.latest_step()}) is kept in {workdir / 'checkpoints'}.")
      step += k
      pending.append(metrics)
      bar.update(k)
      if step % train_cfg.log_every == 0 or step == train_cfg.steps:
        means = {n: float(np.mean(np.concatenate([m[n] for m in pending]))) for n in metrics}
        writer.write(step, means)
        bar.set_postfix({n: f"{v:.3g}" for n, v in means.items() if "loss" in n})
        pending = []
      if step % train_cfg.checkpoint_every == 0 or step == train_cfg.steps:
        checkpoint.save(mngr, step, state)
      if step % train_cfg.figure_every == 0 or step == train_cfg.steps:
        write_figures(method, state, keys["figures"], workdir)
  finally:
    bar.close()
    writer.close()
    mngr.close()
  return state
