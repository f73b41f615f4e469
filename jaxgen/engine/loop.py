"""The training loop: jitted, K steps fused per call, checkpointed, resumable.

It drives any `Method` and knows nothing about GANs or VAEs. Per-step keys are
`fold_in(step_key, step)` with the absolute step number, and the chunks of
steps fused per call break at the same absolute steps in every run of a
config, so a resumed run repeats exactly the computation of an uninterrupted
one (bit-identical parameters).
"""

import contextlib
import functools
import io
import os
import pathlib

import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import tqdm

from jaxgen import plots
from jaxgen.engine import checkpoint
from jaxgen.engine import mesh as mesh_lib
from jaxgen.engine import workdir as workdir_lib
from jaxgen.methods.base import Method, scan


def run_keys(seed: int) -> dict[str, jax.Array]:
  """The run's keys, each `fold_in(key(seed), i)`: init (method.init), steps (folded
  again with the step number), figures (fixed latents of samples.png), eval (eval.json)."""
  root = jax.random.key(seed)
  return {name: jax.random.fold_in(root, i) for i, name in enumerate(("init", "steps", "figures", "eval"))}


def scan_steps(step_fn, step_key: jax.Array, state, steps: jax.Array):
  """Runs `step_fn` over `steps` (int32 [K] absolute step numbers) with `lax.scan` (`methods.base.scan`).

  Returns:
    (state after K steps, metrics stacked to [K]).
  """
  def body(state, step):
    return step_fn(state, jax.random.fold_in(step_key, step))
  return scan(body, state, steps)


def seed_axis() -> str:
  """How a sweep's seeds share one program on the default backend: "vmap" (GPU, TPU) or "map" (CPU).

  A vmapped step batches every seed's matrix products into one; on an
  accelerator that fills the device. XLA:CPU gains nothing from it (2-core
  CPU, `benchmarks/steps.py`: a 5-seed vmapped sweep ran 0.91-1.04x the
  throughput of 5 sequential runs), so there the seeds are a `lax.map`, a
  loop over seeds inside the program: each seed runs exactly the single-run
  step, one after another, with no per-call overhead between them.
  """
  return "vmap" if jax.default_backend() != "cpu" else "map"


def over_seeds(f, axis: str | None):
  """f(a, b, c) applied per seed to a and b (leading seed axis) with c shared: "vmap", "map" or None (f)."""
  if axis is None:
    return f
  if axis == "vmap":
    return jax.vmap(f, in_axes=(0, 0, None))
  return lambda a, b, c: jax.lax.map(lambda ab: f(*ab, c), (a, b))


def compiler_options(ynnpack: bool = True) -> dict | None:
  """XLA options of the engine's programs on a CPU (None on other backends and when there is nothing to set).

  * Backend optimisation level 1 (of 3): the level sets how hard LLVM
    optimises the generated loops; the matrix products are library calls
    either way. Level 1 compiles every study step 15-45% faster (the DCGAN
    step in 7.6-8.3 s instead of 13.3 s) and runs it as fast within this
    machine's noise (`benchmarks/steps.py`, both levels interleaved twice,
    2-core CPU, jax 0.10.2). A level set in $XLA_FLAGS wins.
  * `ynnpack=False` (the config key `train.xla_cpu_ynnpack`) turns off
    XLA:CPU's YNNPACK fusions, so matrix products and reductions are XLA's
    own (Eigen) kernels. On the 2-core CPU (jax 0.10.2, `benchmarks/steps.py`)
    YNNPACK ran each 512 x 128 x 128 product of the 2-D GAN step on one core
    (~125 us), Eigen on both (~55 us): the step ran 280-297 steps/s with
    YNNPACK and 348-388 without, the MNIST VAE 147-156 and 180-202. The
    MNIST MLP GANs ran 12-17% slower without it, so it stays on by default.
    The two give the same math, not the same bits. A YNNPACK setting in
    $XLA_FLAGS wins.
  """
  if jax.default_backend() != "cpu":
    return None
  flags = os.environ.get("XLA_FLAGS", "")
  options = {}
  if "xla_backend_optimization_level" not in flags:
    options["xla_backend_optimization_level"] = 1
  if not ynnpack and "xla_cpu_experimental_ynn_fusion_type" not in flags:
    options["xla_cpu_experimental_ynn_fusion_type"] = ""  # The empty list: no YNNPACK fusion of any type.
  return options or None


def cpu_ynnpack(train: ml_collections.ConfigDict) -> bool:
  """The config's `train.xla_cpu_ynnpack` (optional, default True: XLA's own choice), for `compiler_options`."""
  return train.get("xla_cpu_ynnpack", True)


def _over_seeds_on(f, axis: str | None, mesh):
  """`over_seeds(f, axis)`, and for a sweep on a mesh each device running it over its own seeds."""
  f = over_seeds(f, axis)
  return f if axis is None else mesh_lib.per_seed_shards(f, mesh)


# The jitted programs are cached by the method's functions, so the runs of a study that share a method
# compile once: a DCGAN step takes ~8 s to compile on a CPU.
@functools.lru_cache(maxsize=4)
def _jitted_chunk(step_fn, axis: str | None, ynnpack: bool = True, mesh=None):
  """jit(scan_steps of `step_fn`) over (step key, state, steps), per seed for a sweep; donates the state."""
  return jax.jit(_over_seeds_on(functools.partial(scan_steps, step_fn), axis, mesh), donate_argnums=1,
                 compiler_options=compiler_options(ynnpack))


@functools.lru_cache(maxsize=4)
def _jitted_evaluate(sample_fn, evaluate, num_samples: int, axis: str | None, ynnpack: bool = True, mesh=None):
  """jit of (state, eval key, step) -> evaluate(num_samples samples drawn with fold_in(key, step))."""
  return jax.jit(_over_seeds_on(lambda s, k, i: evaluate(sample_fn(s, jax.random.fold_in(k, i), num_samples)), axis,
                           mesh), compiler_options=compiler_options(ynnpack))


def next_chunk(step: int, train: ml_collections.ConfigDict) -> int:
  """How many steps to fuse from `step`: up to `steps_per_call`, stopping at every
  multiple of log_every, checkpoint_every, figure_every (and eval_every, when the
  config has it) and at the last step."""
  end = min(step + train.steps_per_call, train.steps)
  for name in ("log_every", "checkpoint_every", "figure_every", "eval_every"):
    if name in train:
      end = min(end, (step // train[name] + 1) * train[name])
  return end - step


def _first_non_finite(metrics: dict[str, np.ndarray], first_step: int):
  """(step, metric, value, seed indices or None) of the first non-finite metric; metrics are [K] or [S, K].

  For a sweep, the indices are every seed whose metric is not finite at that step.
  """
  for i in range(next(iter(metrics.values())).shape[-1]):
    for name in sorted(metrics):
      column = np.atleast_1d(metrics[name][..., i])
      bad = np.flatnonzero(~np.isfinite(column))
      if len(bad):
        return first_step + i + 1, name, float(column[bad[0]]), (list(bad) if metrics[name].ndim > 1 else None)
  return None


def _per_seed(x):
  """A scalar for a single run, a list over seeds for a sweep (as written to metrics.jsonl)."""
  x = np.asarray(x)
  return float(x) if x.ndim == 0 else [float(v) for v in x]


def write_figures(sample_fn, state, figures_key: jax.Array, workdir: pathlib.Path, step: int,
                  sweep: bool = False, num_images: int = 64, write: bool = True) -> None:
  """figures/samples.png, figures/losses.png, and the raw samples in figures/samples/step_<step>.npy.

  `sample_fn(state, key, n)` draws from fixed latents: `num_images` images
  (or patterns), or 1,000 points when the samples are vectors (2-D data). For a sweep (`sweep=True`)
  it returns [S, n, ...]: all seeds are saved, the first seed is drawn.
  With several processes every one draws (its shards) and only `write` ones write.
  """
  rank = len(jax.eval_shape(lambda: sample_fn(state, figures_key, 1)).shape) - int(sweep)
  samples = mesh_lib.to_host(sample_fn(state, figures_key, 1000 if rank == 2 else num_images))
  if not write:
    return
  figdir = workdir / "figures"
  (figdir / "samples").mkdir(parents=True, exist_ok=True)
  # Each file is written whole or not at all (`write_atomic`): a crash here leaves the previous figures.
  npy = io.BytesIO()
  np.save(npy, samples)
  workdir_lib.write_atomic(figdir / "samples" / f"step_{step:08d}.npy", npy.getvalue())
  workdir_lib.write_atomic(figdir / "samples.png", _png(plots.samples_figure(samples[0] if sweep else samples)))
  records = workdir_lib.read_metrics(workdir)
  if records:
    workdir_lib.write_atomic(figdir / "losses.png", _png(plots.metric_curves(records)))


def _png(fig) -> bytes:
  buf = io.BytesIO()
  fig.savefig(buf, format="png")
  return buf.getvalue()


def train(method: Method, config: ml_collections.ConfigDict, workdir: str | pathlib.Path,
          fresh: bool = False, progress: bool = True, evaluate=None, seeds=None, settings=None):
  """Trains `method` for `config.train.steps` steps, resuming from `workdir` if it holds a run.

  Reads `config.seed` and `config.train`: steps, steps_per_call (K, steps
  fused per jitted call), log_every, checkpoint_every, figure_every,
  keep_checkpoints, and eval_every when `evaluate` is given (all in steps),
  and the optional `xla_cpu_ynnpack` (default True; `compiler_options`);
  and `config.eval.series_samples` (or, without it, `config.eval.num_samples`)
  and `config.eval.figure_samples` (images per figure step, default 64).
  On more than one device it trains on the mesh of the optional
  `train.mesh` (`jaxgen.engine.mesh`: a sweep's seeds over `seed`, each
  batch over `data`); the checkpoints restore onto any mesh shape.

  A sweep (`seeds` given) trains one run per seed in the same compiled
  program, with one checkpoint: the state has a leading seed axis, and the
  scanned `method.step` runs over it as `seed_axis()` says (vmapped on an
  accelerator, a `lax.map` on a CPU). Seed s uses exactly the keys of a
  single run with `config.seed = s` (`run_keys(s)`), so its numbers match
  that run's (bit for bit when mapped, up to floating-point reassociation
  when vmapped). Its metrics are written as lists over seeds.

  Args:
    method: the training method.
    config: the full experiment config (saved to `workdir/config.json`).
    workdir: the run directory (see `jaxgen.engine.workdir` for its layout).
    fresh: move an existing run in `workdir` aside and start over.
    progress: show a tqdm progress bar.
    evaluate: optional pure function (samples float32 [n, ...]) -> dict of
      float32 [] metrics, jnp only; applied every `eval_every` steps to
      `eval.series_samples` samples drawn with `fold_in(run_keys(seed)["eval"],
      step)` and logged to metrics.jsonl (the coverage time series).
    seeds: None for one run of `config.seed`; a sequence of ints for a sweep.
    settings: optional {state field: value per seed} that replace those
      fields of the initial state (a `flax.struct.dataclass`), e.g.
      `{"kl_weight": [0.1, 1.0, 10.0]}` with three seeds: a grid of a
      hyper-parameter the method keeps in its state, trained as one
      program. For a single run each value is a scalar. Recorded in
      config.json, so a resume with other settings is refused.

  Returns:
    The final state (for a sweep, with a leading seed axis).

  Raises:
    ValueError: a `config.train` count is below 1, `seeds` is empty, a
      `settings` value does not have one entry per seed, or `train.mesh`
      does not fit the devices, seeds or batch (`jaxgen.engine.mesh.make`).
    ConfigMismatchError: `workdir` holds a run of another config or seeds.
    WorkdirInUseError: another process is training in `workdir` (also with
      `fresh`: nothing is moved).
    CorruptCheckpointError: the latest checkpoint cannot be restored.
    CorruptWorkdirError: config.json or metrics.jsonl is unreadable (a last
      metrics line cut short by a crash is not: it is dropped).
    FloatingPointError: a metric became NaN or infinite; names the step,
      metric (and seed). The last checkpoint written before it is kept.
  """
  workdir = pathlib.Path(workdir)
  train_cfg = config.train
  counts = ["steps", "steps_per_call", "log_every", "checkpoint_every", "figure_every", "keep_checkpoints"]
  for name in counts + (["eval_every"] if evaluate else []):
    if train_cfg[name] < 1:
      raise ValueError(f"config.train.{name} must be >= 1, got {train_cfg[name]}")
  sweep = seeds is not None
  if sweep and not len(seeds):
    raise ValueError("seeds must not be empty")
  settings = {k: np.asarray(v).tolist() for k, v in (settings or {}).items()}
  if sweep and any(np.shape(v) != (len(seeds),) for v in settings.values()):
    raise ValueError(f"each settings value needs one entry per seed ({len(seeds)}), got {settings}")
  extra = ({"seeds": list(seeds)} if sweep else {}) | ({"settings": settings} if settings else {})
  mesh = mesh_lib.make(train_cfg.get("mesh"), len(seeds) if sweep else None,
                       (config.get("method") or {}).get("batch_size"))
  primary = mesh_lib.is_primary()  # Of several processes (jax.distributed), process 0 writes the files.
  if fresh and workdir.exists() and primary:
    workdir_lib.move_aside(workdir)  # Refused while another process trains there.
  mesh_lib.sync("workdir ready")
  with (workdir_lib.lock(workdir) if primary else contextlib.nullcontext()), \
       (jax.set_mesh(mesh) if mesh else contextlib.nullcontext()):
    config_json = workdir_lib.check_config(workdir, config, extra=extra or None)
    keys = run_keys(config.seed) if not sweep else jax.tree.map(
        lambda *k: jnp.stack(k), *[run_keys(s) for s in seeds])
    axis = seed_axis() if sweep else None
    sample_fn = jax.jit(over_seeds(method.sample, axis), static_argnums=2)  # Compiled once per figure size.
    mngr = checkpoint.manager(workdir, train_cfg.keep_checkpoints)
    # Jitted: run eagerly, a model's init compiles each of its few hundred small ops on its own (seconds).
    state = jax.jit(jax.vmap(method.init) if sweep else method.init)(keys["init"])
    if settings:
      state = state.replace(**{k: jnp.asarray(v, getattr(state, k).dtype) for k, v in settings.items()})
    # Placed from the same values on every process; a checkpoint is restored onto these shardings.
    state, keys = mesh_lib.place(state, mesh, sweep), mesh_lib.place(keys, mesh, sweep)
    step = mngr.latest_step() or 0
    if step:
      state = checkpoint.restore(mngr, step, state)
    if config_json and primary:  # Only once the run is known to resume (or start): a refused run changes no file.
      workdir_lib.write_atomic(workdir / "config.json", config_json)
    writer = (workdir_lib.MetricWriter(workdir, resume_step=step, seeds=list(seeds) if sweep else None)
              if primary else None)
    ynnpack = cpu_ynnpack(train_cfg)
    run = _jitted_chunk(method.step, axis, ynnpack, mesh)
    if evaluate:  # The time series may use fewer samples than the final evaluation.
      num_samples = config.eval.series_samples if "series_samples" in config.eval else config.eval.num_samples
      evaluate_at = _jitted_evaluate(method.sample, evaluate, num_samples, axis, ynnpack, mesh)
    bar = tqdm.tqdm(total=train_cfg.steps, initial=step, disable=not progress, unit="step",
                    dynamic_ncols=True)
    pending = []  # Metrics of the steps since the last log line.
    try:
      while step < train_cfg.steps:
        k = next_chunk(step, train_cfg)
        state, metrics = run(keys["steps"], state, jnp.arange(step, step + k, dtype=jnp.int32))
        metrics = mesh_lib.to_host(metrics)
        bad = _first_non_finite(metrics, step)
        if bad:
          where = "" if bad[3] is None else f" (seeds {', '.join(str(seeds[i]) for i in bad[3])})"
          kept = (f"The last good checkpoint (step {mngr.latest_step()}) is kept in {workdir / 'checkpoints'}."
                  if mngr.latest_step() is not None else "No checkpoint had been written yet.")
          raise FloatingPointError(f"{bad[1]} = {bad[2]} at step {bad[0]}{where}; training stopped. {kept}")
        step += k
        pending.append(metrics)
        bar.update(k)
        at = lambda every: step % every == 0 or step == train_cfg.steps
        record = {}
        if at(train_cfg.log_every):
          record = {n: _per_seed(np.mean(np.concatenate([m[n] for m in pending], -1), -1)) for n in metrics}
          bar.set_postfix({n: f"{np.mean(v):.3g}" for n, v in record.items() if "loss" in n})
          pending = []
        if evaluate and at(train_cfg.eval_every):
          record.update({n: _per_seed(v) for n, v in mesh_lib.to_host(evaluate_at(state, keys["eval"], step)).items()})
        if record and primary:
          writer.write(step, record)
        if at(train_cfg.checkpoint_every):
          checkpoint.save(mngr, step, state)
        if at(train_cfg.figure_every):
          write_figures(sample_fn, state, keys["figures"], workdir, step, sweep=sweep,
                        num_images=config.get("eval", {}).get("figure_samples", 64), write=primary)
    finally:
      bar.close()
      if writer:
        writer.close()
      mngr.close()
    if jax.process_count() > 1:  # Each process gets the whole final state on its own devices, for evaluation.
      state = jax.device_put(mesh_lib.to_host(state))
    return state
