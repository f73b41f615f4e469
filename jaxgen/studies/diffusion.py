r"""Diffusion against the GANs: the closed-form forward process checked, sampling steps against quality on MNIST,
and one table of modes on the 2-D mixtures for GANs and DDPM.

  python -m launch.reproduce diffusion --workdir runs/diffusion [--quick]
  >>> jaxgen.studies.run("diffusion", "runs/diffusion", quick=True)  # doctest: +SKIP

(a) The closed form: 1-D data x_0 (the first coordinate of `grid` points: five
    spikes at -4 ... 4) is pushed through t explicit forward steps (`q_step`)
    and, separately, through `q_sample`; the report gives both sets' mean
    and std beside the closed form's, sqrt(alpha_bar_t) E[x_0] and
    sqrt(alpha_bar_t^2 Var[x_0] + 1 - alpha_bar_t), and figures/forward.png
    draws the chain's histogram over the exact density of q(x_t), a mixture
    of N(sqrt(alpha_bar_t) x_0, 1 - alpha_bar_t) over the x_0.
(b) MNIST: configs/mnist_ddpm.py and configs/mnist_wgan_gp.py (one seed
    each); the DDPM's EMA model sampled by DDIM (eta 0) and by strided
    ancestral sampling (eta 1) with each of `sample_steps` network
    evaluations (x0_hat clipped to [-1, 1]); Fréchet distance, precision and recall in the MNIST
    classifier's features against as many training digits, and the sampling
    time per 1,000 samples (compiled, on this machine).
(c) Which family collapses: ring, grid and Stacked MNIST, `num_seeds` seeds
    each (default 3), the vanilla GAN, the best GAN fix (PacGAN4 on the ring,
    configs/ring_pacgan.py; R1 with two critic steps on the grid, configs/grid_best.py; PacGAN4 on
    Stacked MNIST), a VAE (configs/{ring,grid,stacked_mnist}_vae.py: a
    Gaussian likelihood on the points, Bernoulli pixels on the digits) and
    DDPM (configs/{ring,grid,stacked_mnist}_ddpm.py). On the mixtures: modes,
    high-quality fraction and KL of 2,500 samples from eval.json (the
    mode-collapse protocol). On Stacked MNIST every model's eval.json is
    scored on `stacked_samples` draws (10,000, not the protocol's 26,000:
    DDPM's 50 network evaluations per sample make 26,000 x 3 seeds cost
    hours on a 2-core CPU): modes of 1,000, KL, Fréchet distance and precision/recall
    in classifier features. Each with its sampling time per 1,000 samples.
Writes report.md and figures/. Sizes: FULL or QUICK.
"""

import pathlib

import jax
import jax.numpy as jnp
import numpy as np

from configs import (grid_best, grid_ddpm, grid_gan, grid_vae, mnist_ddpm, mnist_wgan_gp, ring_ddpm, ring_gan,
                     ring_pacgan, ring_vae, stacked_mnist_dcgan, stacked_mnist_ddpm, stacked_mnist_vae)
from jaxgen import data as data_lib
from jaxgen import experiment
from jaxgen import plots
from jaxgen.data import mixtures
from jaxgen.losses import diffusion
from jaxgen.metrics import classifier as classifier_lib
from jaxgen.metrics.features import feature_metrics
from jaxgen.studies import common
from jaxgen.studies.common import fmt, member, timed_samples

# benchmark -> setting -> (config module, overrides of its full and --quick config; a smoke run takes none).
BENCHMARKS = {
    "ring": {"GAN": (ring_gan, {}), "PacGAN4": (ring_pacgan, {}), "VAE": (ring_vae, {}), "DDPM": (ring_ddpm, {})},
    "grid": {"GAN": (grid_gan, {}), "GAN + R1, n_critic 2": (grid_best, {}), "VAE": (grid_vae, {}), "DDPM": (grid_ddpm, {})},
    # The DCGANs at 5 epochs, the length of the mode-collapse study's converged rows (README).
    "stacked_mnist": {"DCGAN": (stacked_mnist_dcgan, {"train.steps": 10_000}),
                      "PacGAN4": (stacked_mnist_dcgan, {"train.steps": 10_000, "method.pack": 4}),
                      "VAE": (stacked_mnist_vae, {}), "DDPM": (stacked_mnist_ddpm, {})},
}
SMOKE_SETTINGS = {"ring": ("VAE", "DDPM"), "stacked_mnist": ("VAE",)}  # The GAN rows' code is the VAE's.
FORWARD_STEPS = (1, 50, 200, 1000)  # t of the forward-process panels (T = 1000, linear betas).
FULL = dict(steps_2d=None, steps_stacked=None, stacked_samples=10_000, mnist_steps=None, sample_steps=(10, 50, 100),
            mnist_samples=1000, forward_samples=20_000)
QUICK = dict(steps_2d=2000, steps_stacked=100, stacked_samples=500, mnist_steps=600, sample_steps=(10, 50),
             mnist_samples=500, forward_samples=20_000)


def forward_check(schedule: diffusion.Schedule, x0: jax.Array, key: jax.Array, t_values) -> dict[int, dict]:
  """Per t: the chain's samples after t `q_step`s, `q_sample` draws, and the closed form's mean and std.

  x0: float32 [N] data. Returns {t: {"chain": [N], "closed": [N], "mean": float, "std": float}}.
  """
  x0 = x0[:, None]
  chain_key, closed_key = jax.random.split(key)
  step = jax.jit(lambda x, i, k: diffusion.q_step(schedule, x, jnp.full(x.shape[:1], i), jax.random.normal(k, x.shape)))
  out, x = {}, x0
  for i in range(max(t_values)):
    x = step(x, i, jax.random.fold_in(chain_key, i))
    t = i + 1
    if t in t_values:
      a = float(schedule.alpha_bar[i])
      closed = diffusion.q_sample(schedule, x0, jnp.full(x0.shape[:1], i),
                                  jax.random.normal(jax.random.fold_in(closed_key, t), x0.shape))
      out[t] = {"chain": np.asarray(x[:, 0]), "closed": np.asarray(closed[:, 0]),
                "mean": float(np.sqrt(a) * x0.mean()), "std": float(np.sqrt(a * x0.var() + 1 - a))}
  return out


def exact_density(schedule: diffusion.Schedule, x0: np.ndarray, t: int, grid: np.ndarray) -> np.ndarray:
  """q(x_t) on `grid` [G]: the mean over the data x0 [N] of N(x; sqrt(alpha_bar_t) x0, 1 - alpha_bar_t)."""
  a = float(schedule.alpha_bar[t - 1])
  var = 1.0 - a
  z = (grid[:, None] - np.sqrt(a) * x0[None, :]) ** 2 / var
  return np.mean(np.exp(-0.5 * z), axis=1) / np.sqrt(2 * np.pi * var)


def sampling_time(method, state, key: jax.Array) -> float:
  """Wall seconds per 1,000 samples of one model: 1,000 drawn in one compiled call (compiling not timed)."""
  return timed_samples(jax.jit(lambda state, key: method.sample(state, key, 1000)), state, key)[1]


def setting_config(module, overrides: dict, variant: str, steps: int | None):
  """A setting's config: the module's `variant`, its overrides unless a smoke run, steps capped by `steps`."""
  config = module.get_config(variant)
  if variant != "smoke":
    config.update_from_flattened_dict(overrides)
  return common.shorten(config, steps)


def run(workdir: pathlib.Path, quick: bool = False, num_seeds: int | None = None, smoke: bool = False) -> str:
  """Runs the diffusion study and writes report.md; returns its text."""
  sizes = dict(QUICK if (quick or smoke) else FULL)
  if smoke:
    sizes.update(sample_steps=(2,), mnist_samples=16, forward_samples=500, stacked_samples=100)
  seeds = list(range(num_seeds or 3))
  figdir = workdir / "figures"
  figdir.mkdir(parents=True, exist_ok=True)
  variant = "smoke" if smoke else ""
  key = jax.random.key(0)

  # (c) first. Which family drops modes: GAN, the best GAN fix, a VAE and DDPM on each benchmark.
  table = {}
  for benchmark, settings in common.smoke_subset(BENCHMARKS, tuple(SMOKE_SETTINGS), smoke).items():
    stacked = benchmark == "stacked_mnist"
    for name, (module, overrides) in common.smoke_subset(settings, SMOKE_SETTINGS[benchmark], smoke).items():
      config = setting_config(module, overrides, variant, sizes["steps_stacked" if stacked else "steps_2d"])
      if stacked:  # Every model scored on the same number of draws (see the module docstring).
        config.eval.num_samples = sizes["stacked_samples"]
      print(f"[diffusion] {benchmark} {name} -> {workdir / benchmark / common.slug(name)}", flush=True)
      done = common.study_run(config, workdir / benchmark / common.slug(name), seeds)
      result = done.result
      if "sample_kl" in result:  # A VAE's "kl" is its rate; the mode histogram's KL is "sample_kl".
        result = {**result, "kl": result["sample_kl"]}
      timing = sampling_time(done.method, member(done.state, 0), jax.random.fold_in(key, 6))
      table[(benchmark, name)] = (done, result, config.train.steps, timing)

  # (a) The forward process, run step by step against its closed form.
  schedule = diffusion.make_schedule(diffusion.linear_betas(1000))
  x0 = mixtures.sample(mixtures.grid(), jax.random.fold_in(key, 1), sizes["forward_samples"])[:, 0]
  forward = forward_check(schedule, x0, jax.random.fold_in(key, 2), FORWARD_STEPS)
  grid = np.linspace(-5, 5, 401)
  panels = {f"t = {t}": (f["chain"], grid, exact_density(schedule, np.asarray(x0[:2000]), t, grid))
            for t, f in forward.items()}
  plots.density_panels(panels, "x_t").savefig(figdir / "forward.png")

  # (b) MNIST: DDPM against WGAN-GP in classifier features; DDPM's quality against its sampling steps.
  mnist = {}
  for name, module in (("WGAN-GP", mnist_wgan_gp), ("DDPM", mnist_ddpm)):
    config = common.shorten(module.get_config(variant), sizes["mnist_steps"])
    print(f"[diffusion] MNIST {name} -> {workdir / 'mnist' / common.slug(name)}", flush=True)
    mnist[name] = common.study_run(config, workdir / "mnist" / common.slug(name), [0])
  params = classifier_lib.load_classifier().params
  n = sizes["mnist_samples"]
  train = data_lib.to_model_range(mnist["DDPM"].real.train["image"][:n])
  ddpm_run = mnist["DDPM"]
  state = member(ddpm_run.state, 0)
  denoiser, sched = ddpm_run.method.denoiser, ddpm_run.method.schedule
  x_T = jax.random.normal(jax.random.fold_in(key, 3), (n, *train.shape[1:]))
  rows, shown = [], {}
  for steps in sizes["sample_steps"]:
    for eta in (0.0, 1.0):
      # With clip_x0 the last step returns the clipped x0_hat: samples are in [-1, 1]. The state is an
      # argument, not a closure constant (`timed_samples`).
      sample = lambda state, x, steps=steps, eta=eta: diffusion.ddim_sample(
          denoiser(state), sched, x, jax.random.fold_in(key, 4), steps, eta, clip_x0=True)
      samples, seconds = timed_samples(sample, state, x_T)
      rows.append((f"DDPM, {'DDIM (eta 0)' if eta == 0 else 'ancestral (eta 1)'}, {steps} steps",
                   feature_metrics(params, samples, train), seconds))
      if eta == 0:
        shown[f"DDIM {steps} steps"] = np.asarray(samples[:10])
  gan_sample = lambda state, k: mnist["WGAN-GP"].method.sample(state, k, n)
  samples, seconds = timed_samples(gan_sample, member(mnist["WGAN-GP"].state, 0), jax.random.fold_in(key, 5))
  rows.append(("WGAN-GP (configs/mnist_wgan_gp.py)", feature_metrics(params, samples, train), seconds))
  shown["WGAN-GP"] = np.asarray(samples[:10])
  plots.class_rows(np.stack(list(shown.values())), list(shown), "the same 10 start noises per DDIM row"
                   ).savefig(figdir / "mnist_samples.png")

  # The report.
  lines = [f"# Diffusion against GANs: {'quick' if quick else 'full'} study", "",
           f"Command: `python -m launch.reproduce diffusion --workdir {workdir}" + (" --quick`" if quick else "`"),
           "", "## (a) The forward process: t explicit steps against the closed form q(x_t | x_0)", "",
           f"x_0: the first coordinate of {sizes['forward_samples']} grid points (five spikes at -4 ... 4); "
           "linear betas 1e-4 to 0.02, T = 1000.", "",
           "| t | alpha_bar_t | chain mean | q_sample mean | closed-form mean | chain std | q_sample std | "
           "closed-form std |", "|---|---|---|---|---|---|---|---|"]
  for t, f in forward.items():
    lines.append(f"| {t} | {float(schedule.alpha_bar[t - 1]):.4g} | {f['chain'].mean():.4f} | "
                 f"{f['closed'].mean():.4f} | {f['mean']:.4f} | {f['chain'].std():.4f} | {f['closed'].std():.4f} | "
                 f"{f['std']:.4f} |")
  lines += ["", "![forward](figures/forward.png)", "",
            f"## (b) MNIST: sampling steps against quality ({n} samples, classifier features, against as many "
            "training digits)", "",
            f"DDPM: configs/mnist_ddpm.py, {int(ddpm_run.state.step[0])} steps, its EMA "
            f"model; WGAN-GP: configs/mnist_wgan_gp.py, {int(mnist['WGAN-GP'].state.step[0])} generator steps. "
            "One seed each. Sampling time: seconds per 1,000 samples on this machine, compiled.", "",
            "| model, sampler | FD | precision | recall | s per 1,000 samples |", "|---|---|---|---|---|"]
  for name, m, seconds in rows:
    lines.append(f"| {name} | {m['frechet_distance']:.3g} | {m['precision']:.3f} | {m['recall']:.3f} | "
                 f"{seconds:.3g} |")
  lines += ["", "![samples](figures/mnist_samples.png)", "",
            f"## (c) Which family drops modes ({len(seeds)} seeds; mean ± s.e.)", "",
            "The 2-D mixtures: 2,500 samples, 3 std (the mode-collapse protocol).", "",
            "| benchmark | model | steps | modes | high quality (%) | KL (nats) | train time | s per 1,000 samples |",
            "|---|---|---|---|---|---|---|---|"]
  for (benchmark, name), (done, r, steps, timing) in table.items():
    if benchmark != "stacked_mnist":
      lines.append(f"| {benchmark} | {name} | {steps} | {fmt(r['modes_captured'])} | "
                   f"{fmt(r['high_quality'], 100)} | {fmt(r['kl'])} | {done.seconds:.0f} s | {timing:.3g} |")
  featured = min(experiment.FEATURE_SAMPLES, sizes["stacked_samples"])
  lines += ["", f"Stacked MNIST: {sizes['stacked_samples']:,} samples of each model, classified by the MNIST "
            "classifier (modes of 1,000, KL of the triples' histogram to uniform); Fréchet distance and "
            f"precision/recall in its features on the first {featured:,} against as many real triples.", "",
            "| model | steps | modes | KL (nats) | FD | precision | recall | train time | s per 1,000 samples |",
            "|---|---|---|---|---|---|---|---|---|"]
  for (benchmark, name), (done, r, steps, timing) in table.items():
    if benchmark == "stacked_mnist":
      lines.append(f"| {name} | {steps} | {fmt(r['modes'])} | {fmt(r['kl'])} | "
                   f"{fmt(r['frechet_distance'])} | {fmt(r['precision'])} | {fmt(r['recall'])} | "
                   f"{done.seconds:.0f} s | {timing:.3g} |")
  lines += ["", "VAE samples: draws x ~ p(x | z) on the mixtures, the mean image on Stacked MNIST. "
            + common.TRAIN_TIME_NOTE, ""]
  report = common.write_report(workdir, lines)
  return report
