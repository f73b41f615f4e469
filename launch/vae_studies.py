r"""The VAE studies of `launch.reproduce`: beta-VAE rate-distortion on MNIST, posterior collapse on drums.

  python -m launch.reproduce beta_vae --workdir runs/beta_vae [--quick]
  python -m launch.reproduce posterior_collapse --workdir runs/drums [--quick]

`beta_vae` (configs/mnist_vae.py on the 4,500 `mnist_subset` digits):
  - 2-D latents for kl_weight (beta) in BETAS_2D, one vmapped sweep (member i
    is seed i with its beta in the state): the test digits' posterior means,
    coloured by digit.
  - A rate-distortion curve over BETAS_RD for the Gaussian and the echo-noise
    encoder (16 latents), each one vmapped sweep: rate = KL (Gaussian) or the
    exact echo rate -E log|det S(x)|, distortion = reconstruction NLL, both in
    nats per test digit; reconstructions and samples at the smallest and
    largest beta.
`posterior_collapse` (configs/drums_hvae.py on `drum_patterns`): the
hierarchical drum VAE under each of STRATEGIES, `--seeds` (default 3) seeds
each in one vmapped sweep; the report's table, the collapse flags, per-dimension
KL over training, a PCA of z_high by style, traversals, a style interpolation,
and MIDI files of samples.

Every run is a resumable sweep workdir under the study's workdir; a finished
run is reused when the command is run again. `--quick` shortens the runs
(QUICK_STEPS) so each study takes a few minutes on a 2-core CPU.
"""

import copy
import pathlib

import jax
import jax.numpy as jnp
import matplotlib.figure
import numpy as np

from configs import drums_hvae, mnist_vae
from jaxgen import plots
from jaxgen.data import drums
from jaxgen.engine import workdir as workdir_lib
from jaxgen.metrics import drums as drum_metrics
from jaxgen.metrics import vae as vae_metrics
from launch import common

BETAS_2D = (0.0, 1.0, 30.0)
BETAS_RD = (0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0)
QUICK_STEPS = {"beta_vae": 1500, "posterior_collapse": 1000}
STRATEGIES = ("none", "linear", "sigmoid", "cyclical", "free_bits", "cyclical + free bits")
FREE_BITS = 0.5  # Nats per latent dimension, for the free-bits strategies.
COLLAPSE_KL = 0.1  # Nats: z_high counts as collapsed when its KL stays below this (metrics.vae.posterior_collapse).
GREEDY = 1e-3  # Decoding temperature for reconstructions, traversals and interpolations (T -> 0: the likeliest cells).


def member(state, i: int):
  """Member i of a sweep's stacked state."""
  return jax.tree.map(lambda x: x[i], state)


def shorten(config, quick: bool, study: str):
  """The study's copy of a config; --quick cuts the steps and the checkpoint/figure intervals."""
  config = copy.deepcopy(config)
  if quick:
    config.train.steps = QUICK_STEPS[study]
  for name in ("checkpoint_every", "figure_every"):
    config.train[name] = min(config.train[name], config.train.steps)
  return config


def fmt(values, digits: int = 3) -> str:
  mean, se = common.mean_and_se(values)
  return f"{mean:.{digits}g} ± {se:.2g}"


# ----------------------------------------------------------------------------- beta_vae


def beta_vae(workdir: pathlib.Path, quick: bool, num_seeds: int | None) -> str:
  """Runs the beta-VAE study and writes report.md; returns its text. `num_seeds` is unused (one run per beta)."""
  del num_seeds
  figdir = workdir / "figures"
  figdir.mkdir(parents=True, exist_ok=True)
  base = shorten(mnist_vae.get_config(), quick, "beta_vae")

  config = copy.deepcopy(base)
  config.model.latent_dim = 2
  runs = {"2-D latents": common.study_run(config, workdir / "latent_2d", list(range(len(BETAS_2D))),
                                          {"kl_weight": list(BETAS_2D)})}
  for encoder in ("gaussian", "echo"):
    config = copy.deepcopy(base)
    config.model.encoder = encoder
    runs[encoder] = common.study_run(config, workdir / f"rate_distortion_{encoder}", list(range(len(BETAS_RD))),
                                     {"kl_weight": list(BETAS_RD)})

  run = runs["2-D latents"]
  x, labels = common.held_out_examples(run.real), run.real.test["label"]
  fig = matplotlib.figure.Figure(figsize=(4 * len(BETAS_2D), 3.8), dpi=100, layout="constrained")
  for i, beta in enumerate(BETAS_2D):
    means = run.method.encode(member(run.state, i), x, jax.random.key(0))["mean"]
    ax = fig.add_subplot(1, len(BETAS_2D), i + 1)
    plots.labelled_scatter(np.asarray(means), labels, ax=ax)
    ax.set_title(f"kl_weight {beta:g}: KL {run.result['kl'][i]:.2f}, recon {run.result['recon_nll'][i]:.1f} nats",
                 fontsize=8)
  fig.savefig(figdir / "latent_2d.png")

  fig = matplotlib.figure.Figure(figsize=(5.5, 4), dpi=100, layout="constrained")
  ax = fig.add_subplot()
  for encoder in ("gaussian", "echo"):
    run = runs[encoder]
    rate, distortion = run.result["kl"], run.result["recon_nll"]
    ax.plot(rate, distortion, "o-", label=encoder)
    for beta, r, d in zip(BETAS_RD, rate, distortion):
      ax.annotate(f"{beta:g}", (r, d), fontsize=6, xytext=(3, 3), textcoords="offset points")
    rows = [x[:8]]  # Test digits; reconstructions at the smallest and largest beta; samples at both.
    for i in (0, len(BETAS_RD) - 1):
      one = member(run.state, i)
      z = run.method.encode(one, x, jax.random.key(1))["z"][:8]  # The whole test set: echo noise needs a batch.
      rows.append(2 * jax.nn.sigmoid(run.method.decode(one, z)) - 1)
    rows += [run.method.sample(member(run.state, i), jax.random.key(2), 8) for i in (0, len(BETAS_RD) - 1)]
    plots.image_grid(np.concatenate([np.asarray(r) for r in rows]), ncols=8).savefig(figdir / f"extremes_{encoder}.png")
  ax.set_xlabel("rate (nats per digit)")
  ax.set_ylabel("distortion: reconstruction NLL (nats per digit)")
  ax.set_title("MNIST rate-distortion over kl_weight (annotated)", fontsize=9)
  ax.legend()
  ax.grid(alpha=0.3)
  fig.savefig(figdir / "rate_distortion.png")

  r2 = runs["2-D latents"].result
  lines = [f"# beta-VAE: {'quick' if quick else 'full'} study", "",
           f"Command: `python -m launch.reproduce beta_vae --workdir {workdir}{' --quick' if quick else ''}`", "",
           f"MNIST (`mnist_subset`: 4,500 train / 500 test real digits), MLP encoder and decoder, "
           f"{base.train.steps} steps at batch {base.method.batch_size}. Numbers are nats per test digit "
           "(Bernoulli likelihood of the pixels in [0, 1]), on the 500 test digits. Each kl_weight (beta) is one "
           "member of a vmapped sweep (member i: seed i).", "",
           "## 2-D latents", "", "![latents](figures/latent_2d.png)", "",
           "| kl_weight | KL (rate) | reconstruction NLL | negative ELBO | active units (of 2) |", "|---|---|---|---|---|"]
  for i, beta in enumerate(BETAS_2D):
    lines.append(f"| {beta:g} | {r2['kl'][i]:.2f} | {r2['recon_nll'][i]:.1f} | {-r2['elbo'][i]:.1f} | "
                 f"{r2['active_units'][i]} |")
  lines += ["", "## Rate-distortion (16 latents)", "", "![rate-distortion](figures/rate_distortion.png)", "",
            "Rate: KL(q(z|x) || N(0, I)) for the Gaussian encoder; the exact echo rate -E log|det S(x)| for the echo "
            f"encoder (Brekelmans et al., 2019; clip {base.model.echo_clip}, d_max {base.model.echo_d_max}). "
            "Distortion: reconstruction NLL.", "",
            "| kl_weight | Gaussian: rate | Gaussian: distortion | Gaussian: active units | echo: rate | "
            "echo: distortion | echo: active units |", "|---|---|---|---|---|---|---|"]
  g, e = runs["gaussian"].result, runs["echo"].result
  for i, beta in enumerate(BETAS_RD):
    lines.append(f"| {beta:g} | {g['kl'][i]:.2f} | {g['recon_nll'][i]:.1f} | {g['active_units'][i]} | "
                 f"{e['kl'][i]:.2f} | {e['recon_nll'][i]:.1f} | {e['active_units'][i]} |")
  lines += ["", f"Rows of `figures/extremes_<encoder>.png`: 8 test digits; their reconstructions at kl_weight "
            f"{BETAS_RD[0]:g} and {BETAS_RD[-1]:g}; samples at {BETAS_RD[0]:g} and {BETAS_RD[-1]:g} (Gaussian: "
            "decoded N(0, I) draws; echo: decoded echo noise of real digits, the aggregate posterior).", "",
            "![gaussian](figures/extremes_gaussian.png)", "", "![echo](figures/extremes_echo.png)", "",
            "Training and evaluation time: " + ", ".join(f"{n} {r.seconds:.0f} s" for n, r in runs.items()) +
            " (nan: reused from an earlier invocation).", ""]
  report = "\n".join(lines)
  (workdir / "report.md").write_text(report)
  return report


# ----------------------------------------------------------------------------- posterior_collapse


def strategy_overrides(name: str, steps: int) -> dict:
  """Config overrides of a collapse remedy, scaled to a run of `steps` steps.

  linear: beta rises from 0 over the first third; sigmoid: a logistic rise
  centred at steps / 6 (a(0) = 0.007); cyclical: 4 cycles, rising over the
  first half of each (Fu et al., 2019); free bits: FREE_BITS nats per
  dimension (Kingma et al., 2016); "none": beta 1 from the first step.
  """
  kind = {"linear": "linear", "sigmoid": "sigmoid", "cyclical": "cyclical", "cyclical + free bits": "cyclical"}
  overrides = {"method.kl_schedule.kind": kind.get(name, "constant")}
  if name == "linear":
    overrides["method.kl_schedule.warmup_steps"] = steps // 3
  if name == "sigmoid":
    overrides["method.kl_schedule.midpoint"] = steps // 6
    overrides["method.kl_schedule.steepness"] = 30.0 / steps
  if "free" in name:
    overrides["method.free_bits"] = FREE_BITS
  return overrides


def collapsed_seeds(run_dir: pathlib.Path) -> list[bool]:
  """Per seed: did z_high collapse (`metrics.vae.posterior_collapse` on the logged kl_high and recon_nll)?"""
  records = [r for r in workdir_lib.read_metrics(run_dir) if "kl_high" in r]
  kl, recon = np.array([r["kl_high"] for r in records]), np.array([r["recon_nll"] for r in records])
  return [bool(vae_metrics.posterior_collapse(kl[:, s], recon[:, s], COLLAPSE_KL)) for s in range(kl.shape[1])]


def kl_curves_figure(run_dirs: dict[str, pathlib.Path]) -> matplotlib.figure.Figure:
  """One panel per strategy: the per-dimension KL (seed mean) over training, z_high thick, z_low thin."""
  fig = matplotlib.figure.Figure(figsize=(4 * len(run_dirs), 3.2), dpi=100, layout="constrained")
  for i, (name, run_dir) in enumerate(run_dirs.items()):
    ax = fig.add_subplot(1, len(run_dirs), i + 1)
    records = workdir_lib.read_metrics(run_dir)
    steps = [r["step"] for r in records]
    for key in sorted(k for k in records[0] if k.startswith(("kl_high/", "kl_low/"))):
      high = key.startswith("kl_high")
      ax.plot(steps, [np.mean(r[key]) for r in records], lw=1.6 if high else 0.6, alpha=1 if high else 0.6,
              color="C3" if high else "C0", label=("z_high" if key.endswith("/00") else None) if high else
              ("z_low" if key.endswith("/00") else None))
    ax.set_title(name, fontsize=9)
    ax.set_xlabel("step", fontsize=8)
    ax.set_ylabel("KL per dimension (nats)", fontsize=8)
    ax.set_yscale("symlog", linthresh=0.01)
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
  return fig


def posterior_collapse(workdir: pathlib.Path, quick: bool, num_seeds: int | None) -> str:
  """Runs the posterior-collapse study and writes report.md; returns its text."""
  seeds = list(range(num_seeds or 3))
  figdir, mididir = workdir / "figures", workdir / "midi"
  figdir.mkdir(parents=True, exist_ok=True)
  mididir.mkdir(exist_ok=True)
  base = shorten(drums_hvae.get_config(), quick, "posterior_collapse")
  runs, run_dirs = {}, {}
  for name in STRATEGIES:
    config = copy.deepcopy(base)
    config.update_from_flattened_dict(strategy_overrides(name, config.train.steps))
    run_dirs[name] = workdir / common.slug(name)
    print(f"[posterior_collapse] {name} -> {run_dirs[name]}", flush=True)
    runs[name] = common.study_run(config, run_dirs[name], seeds)
  collapsed = {name: collapsed_seeds(run_dirs[name]) for name in STRATEGIES}
  kl_curves_figure(run_dirs).savefig(figdir / "kl_per_dim.png")

  # Figures of the strategy that keeps the most z_high units active, beside the unannealed model.
  best = max(STRATEGIES, key=lambda n: (np.mean(runs[n].result["active_units_high"]), np.mean(runs[n].result["elbo"])))
  real = runs[best].real
  x, styles = common.held_out_examples(real), real.test["style"]
  classifier = drum_metrics.train_style_classifier(real.train["pattern"], real.train["style"])
  fig = matplotlib.figure.Figure(figsize=(8, 3.8), dpi=100, layout="constrained")
  for i, name in enumerate(("none", best)):
    q = runs[name].method.encode(member(runs[name].state, 0), x, jax.random.key(0))["high"]["mean"]
    centred = np.asarray(q) - np.asarray(q).mean(0)
    _, s, vt = np.linalg.svd(centred, full_matrices=False)
    ax = fig.add_subplot(1, 2, i + 1)
    plots.labelled_scatter(centred @ vt[:2].T, styles, names=list(drums.STYLES), ax=ax, size=6)
    explained = s[:2] ** 2 / max(np.sum(s ** 2), 1e-12)
    ax.set_title(f"{name}: PCA of E[z_high | x], seed 0 ({explained.sum():.0%} of variance)", fontsize=8)
  fig.savefig(figdir / "z_high_pca.png")

  method, one = runs[best].method, member(runs[best].state, 0)
  q = method.encode(one, x, jax.random.key(0))
  high, low = np.asarray(q["high"]["mean"]), np.asarray(q["low"]["mean"])
  values = np.linspace(-2.5, 2.5, 7)
  low_dims = np.argsort(runs[best].result["kl_per_dim_low"][0])[::-1][:4]  # The 4 z_low dimensions with most KL.
  rolls, titles = [], []
  for level, dims in (("z_high", range(base.model.high_dim)), ("z_low", low_dims)):
    for d in dims:
      h, lo = np.repeat(high[:1], len(values), 0), np.repeat(low[:1], len(values), 0)
      (h if level == "z_high" else lo)[:, d] = values
      rolls.append(method.generate(one, jnp.asarray(h), jnp.asarray(lo), jax.random.key(3), GREEDY))
      titles += [f"{level}[{d}] = {v:+.1f}" for v in values]
  plots.piano_rolls(np.concatenate(rolls), titles, ncols=len(values),
                    instruments=drums.INSTRUMENTS).savefig(figdir / "traversals.png")

  pairs = [("rock", "jazz"), ("hip_hop", "electronic"), ("latin", "rock")]
  weights = np.linspace(0, 1, 7)[:, None]
  rolls, titles = [], []
  for a, b in pairs:
    ia, ib = (int(np.flatnonzero(styles == drums.STYLES.index(s))[0]) for s in (a, b))
    h = (1 - weights) * high[ia] + weights * high[ib]
    lo = (1 - weights) * low[ia] + weights * low[ib]
    patterns = np.asarray(method.generate(one, jnp.asarray(h), jnp.asarray(lo), jax.random.key(4), GREEDY))
    predicted = np.asarray(drum_metrics.style_predictions(classifier, patterns))
    rolls.append(patterns)
    titles += [f"{a}->{b} {w:.2f}: {drums.STYLES[p]}" for w, p in zip(weights[:, 0], predicted)]
  plots.piano_rolls(np.concatenate(rolls), titles, ncols=len(weights),
                    instruments=drums.INSTRUMENTS).savefig(figdir / "style_interpolation.png")

  for name in STRATEGIES:
    samples = runs[name].method.sample(member(runs[name].state, 0), jax.random.key(5), 8)
    drums.pattern_to_midi(np.asarray(samples) > 0, mididir / f"{common.slug(name)}.mid")
    plots.piano_rolls(np.asarray(samples), ncols=8, instruments=drums.INSTRUMENTS).savefig(
        figdir / f"samples_{common.slug(name)}.png")

  columns = [("elbo", "ELBO"), ("recon_nll", "recon NLL"), ("kl_high", "KL z_high"), ("kl_low", "KL z_low"),
             ("active_units_high", "AU z_high (of 4)"), ("active_units_low", "AU z_low (of 12)"),
             ("mutual_information_high", "I(x; z_high)"), ("validity", "validity"), ("diversity", "diversity"),
             ("style_accuracy", "style accuracy")]
  lines = [f"# Posterior collapse in the hierarchical drum VAE: {'quick' if quick else 'full'} study", "",
           f"Command: `python -m launch.reproduce posterior_collapse --workdir {workdir}{' --quick' if quick else ''}`",
           "",
           f"`drum_patterns` (800 train / 200 test, 5 styles), {base.train.steps} steps at batch "
           f"{base.method.batch_size}, {len(seeds)} seeds per strategy (vmapped), mean ± standard error over seeds. "
           "ELBO, reconstruction NLL and KL in nats per test pattern (at temperature 1, beta 1, no free bits); "
           "active units (AU): variance over the test set of E_q[z_d | x] above 0.01 (Burda et al., 2016); "
           f"validity and diversity of {base.eval.num_samples} sampled patterns; style accuracy: a style classifier "
           "(trained on the training split) on greedy reconstructions of the test patterns. "
           "Strategies: " + " ".join(strategy_overrides.__doc__.split("\n", 2)[2].split()).replace(
               "FREE_BITS", f"{FREE_BITS:g}"), "",
           "| strategy | " + " | ".join(c[1] for c in columns) + " | z_high collapsed (seeds) | run time |",
           "|---" * (len(columns) + 3) + "|"]
  for name in STRATEGIES:
    r = runs[name].result
    lines.append(f"| {name} | " + " | ".join(fmt(r[k]) for k, _ in columns) +
                 f" | {sum(collapsed[name])}/{len(seeds)} | {runs[name].seconds:.0f} s |")
  none = runs["none"].result
  keeps = [n for n in STRATEGIES if np.mean(runs[n].result["active_units_high"]) > np.mean(none["active_units_high"])]
  lines += ["", "## Findings", "",
            f"- Without annealing (`none`), z_high has {fmt(none['kl_high'])} nats of KL and "
            f"{fmt(none['active_units_high'])} active units of 4; the collapse diagnostic "
            f"(KL_high below {COLLAPSE_KL} nats over the last quarter of training while the reconstruction improves, "
            f"`jaxgen.metrics.vae.posterior_collapse`) fires in {sum(collapsed['none'])} of {len(seeds)} seeds.",
            "- Strategies with more active z_high units than `none`: " +
            (", ".join(f"{n} ({fmt(runs[n].result['active_units_high'])})" for n in keeps) or "none") + ".",
            f"- Figures below use **{best}** (most active z_high units), seed 0.", "",
            "## Figures", "",
            "Per-dimension KL over training (seed mean; z_high thick red, z_low thin blue):", "",
            "![kl](figures/kl_per_dim.png)", "", "PCA of E[z_high | x] of the test patterns, by style:", "",
            "![pca](figures/z_high_pca.png)", "",
            "Traversals (greedy decoding; each row varies one dimension of the first test pattern's code; "
            "z_low: the 4 dimensions with the most KL):", "", "![traversals](figures/traversals.png)", "",
            "Style interpolation (linear in both levels between two test patterns' codes; the title gives the "
            "style classifier's label):", "", "![interpolation](figures/style_interpolation.png)", "",
            "Samples (seed 0, temperature 1) of every strategy, also as MIDI in `midi/<strategy>.mid` (8 bars, "
            "120 bpm): " + ", ".join(f"[{n}](figures/samples_{common.slug(n)}.png)" for n in STRATEGIES) + ".", "",
            f"Training and evaluation time of all runs: {np.nansum([r.seconds for r in runs.values()]):.0f} s "
            "(nan: reused from an earlier invocation).", ""]
  report = "\n".join(lines)
  (workdir / "report.md").write_text(report)
  return report


STUDIES = {"beta_vae": beta_vae, "posterior_collapse": posterior_collapse}
