r"""beta-VAE rate-distortion on MNIST: 2-D latents over kl_weight, and Gaussian vs echo-noise encoders.

  python -m launch.reproduce beta_vae --workdir runs/beta_vae [--quick]
  >>> jaxgen.studies.run("beta_vae", "runs/beta_vae", quick=True)  # doctest: +SKIP

configs/mnist_vae.py on the 4,500 `mnist_subset` digits:
  - 2-D latents for kl_weight (beta) in BETAS_2D, one sweep (member i is
    seed i with its beta in the state): the test digits' posterior means,
    coloured by digit.
  - A rate-distortion curve over BETAS_RD for the Gaussian and the echo-noise
    encoder (16 latents), each one sweep: rate = KL (Gaussian) or the
    exact echo rate -E log|det S(x)|, distortion = reconstruction NLL, both in
    nats per test digit; reconstructions and samples at the smallest and
    largest beta.

Each sweep trains `num_seeds` seeds of every beta at once (default NUM_SEEDS;
one with `--quick`): member j has seed j and beta BETAS[j % len(BETAS)], so
with one seed member i is seed i with the i-th beta, as before seeds were
added. The tables give mean +- standard error over seeds, the
rate-distortion curve the means; the other figures show seed 0. Every run is
a resumable sweep workdir under the study's workdir; a finished run is reused
when the command is run again. `--quick` (QUICK_STEPS, one seed) takes a few
minutes on a 2-core CPU.
"""

import copy
import pathlib

import jax
import numpy as np

from configs import mnist_vae
from jaxgen import plots
from jaxgen.experiment import held_out_examples
from jaxgen.studies import common
from jaxgen.studies.common import fmt, member

BETAS_2D = (0.0, 1.0, 30.0)
BETAS_RD = (0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0)
QUICK_STEPS = 1500
NUM_SEEDS = 3  # Full study; --quick and smoke runs train one seed per beta.


def sweep(betas, num_seeds: int) -> tuple[list[int], dict]:
  """(seeds, settings) of a sweep over `betas` x `num_seeds`: member j is seed j with kl_weight betas[j % len]."""
  return list(range(len(betas) * num_seeds)), {"kl_weight": list(betas) * num_seeds}


def per_beta(values, num_betas: int) -> list[np.ndarray]:
  """A sweep's per-member values regrouped as one array over seeds per beta (the order of `sweep`)."""
  values = np.asarray(values, np.float64)
  return list(values.reshape(-1, num_betas).T)


def run(workdir: pathlib.Path, quick: bool = False, num_seeds: int | None = None, smoke: bool = False) -> str:
  """Runs the beta-VAE study and writes report.md; returns its text. `num_seeds`: seeds per beta (see above)."""
  num_seeds = num_seeds or (1 if quick or smoke else NUM_SEEDS)
  figdir = workdir / "figures"
  figdir.mkdir(parents=True, exist_ok=True)
  base = common.shorten(mnist_vae.get_config("smoke" if smoke else ""), (quick or smoke) and QUICK_STEPS)

  betas = {"2-D latents": BETAS_2D, "gaussian": BETAS_RD, "echo": BETAS_RD}  # Each sweep's kl_weights.
  config = copy.deepcopy(base)
  config.model.latent_dim = 2
  runs = {"2-D latents": common.study_run(config, workdir / "latent_2d", *sweep(betas["2-D latents"], num_seeds))}
  for encoder in ("gaussian", "echo"):
    config = copy.deepcopy(base)
    config.model.encoder = encoder
    runs[encoder] = common.study_run(config, workdir / f"rate_distortion_{encoder}",
                                     *sweep(betas[encoder], num_seeds))
  stats = {name: {k: per_beta(run.result[k], len(betas[name])) for k in ("kl", "recon_nll", "elbo", "active_units")}
           for name, run in runs.items()}

  run = runs["2-D latents"]
  x, labels = held_out_examples(run.real), run.real.test["label"]
  panels = {}
  for i, beta in enumerate(BETAS_2D):
    means = run.method.encode(member(run.state, i), x, jax.random.key(0))["mean"]
    title = f"kl_weight {beta:g}: KL {run.result['kl'][i]:.2f}, recon {run.result['recon_nll'][i]:.1f} nats"
    panels[title] = np.asarray(means)
  fig = plots.scatter_panels(panels, labels)
  fig.savefig(figdir / "latent_2d.png")

  for encoder in ("gaussian", "echo"):
    run = runs[encoder]
    rows = [x[:8]]  # Test digits; reconstructions at the smallest and largest beta; samples at both.
    for i in (0, len(BETAS_RD) - 1):
      one = member(run.state, i)
      z = run.method.encode(one, x, jax.random.key(1))["z"][:8]  # The whole test set: echo noise needs a batch.
      rows.append(2 * jax.nn.sigmoid(run.method.decode(one, z)) - 1)
    rows += [run.method.sample(member(run.state, i), jax.random.key(2), 8) for i in (0, len(BETAS_RD) - 1)]
    plots.image_grid(np.concatenate([np.asarray(r) for r in rows]), ncols=8).savefig(figdir / f"extremes_{encoder}.png")
  fig = plots.annotated_curves({e: ([np.mean(v) for v in stats[e]["kl"]], [np.mean(v) for v in stats[e]["recon_nll"]])
                               for e in ("gaussian", "echo")},
                               [f"{b:g}" for b in BETAS_RD], "rate (nats per digit)",
                               "distortion: reconstruction NLL (nats per digit)",
                               f"MNIST rate-distortion over kl_weight (annotated; mean of {num_seeds} seeds)")
  fig.savefig(figdir / "rate_distortion.png")

  r2 = stats["2-D latents"]
  lines = [f"# beta-VAE: {'quick' if quick else 'full'} study", "",
           f"Command: `python -m launch.reproduce beta_vae --workdir {workdir}{' --quick' if quick else ''}`", "",
           f"MNIST (`mnist_subset`: 4,500 train / 500 test real digits), MLP encoder and decoder, "
           f"{base.train.steps} steps at batch {base.method.batch_size}. Numbers are nats per test digit "
           "(Bernoulli likelihood of the pixels in [0, 1]), on the 500 test digits; mean ± standard error over "
           f"{num_seeds} seeds per kl_weight (beta), all members of one sweep per table (member j: seed j); "
           "the rate-distortion curve plots the means, the other figures seed 0.", "",
           "## 2-D latents", "", "![latents](figures/latent_2d.png)", "",
           "| kl_weight | KL (rate) | reconstruction NLL | negative ELBO | active units (of 2) |", "|---|---|---|---|---|"]
  for i, beta in enumerate(BETAS_2D):
    lines.append(f"| {beta:g} | {fmt(r2['kl'][i])} | {fmt(r2['recon_nll'][i])} | {fmt(-r2['elbo'][i])} | "
                 f"{fmt(r2['active_units'][i])} |")
  lines += ["", "## Rate-distortion (16 latents)", "", "![rate-distortion](figures/rate_distortion.png)", "",
            "Rate: KL(q(z|x) || N(0, I)) for the Gaussian encoder; the exact echo rate -E log|det S(x)| for the echo "
            f"encoder (Brekelmans et al., 2019; clip {base.model.echo_clip}, d_max {base.model.echo_d_max}). "
            "Distortion: reconstruction NLL.", "",
            "| kl_weight | Gaussian: rate | Gaussian: distortion | Gaussian: active units | echo: rate | "
            "echo: distortion | echo: active units |", "|---|---|---|---|---|---|---|"]
  g, e = stats["gaussian"], stats["echo"]
  for i, beta in enumerate(BETAS_RD):
    lines.append(f"| {beta:g} | {fmt(g['kl'][i])} | {fmt(g['recon_nll'][i])} | {fmt(g['active_units'][i])} | "
                 f"{fmt(e['kl'][i])} | {fmt(e['recon_nll'][i])} | {fmt(e['active_units'][i])} |")
  lines += ["", f"Rows of `figures/extremes_<encoder>.png`: 8 test digits; their reconstructions at kl_weight "
            f"{BETAS_RD[0]:g} and {BETAS_RD[-1]:g}; samples at {BETAS_RD[0]:g} and {BETAS_RD[-1]:g} (Gaussian: "
            "decoded N(0, I) draws; echo: decoded echo noise of real digits, the aggregate posterior).", "",
            "![gaussian](figures/extremes_gaussian.png)", "", "![echo](figures/extremes_echo.png)", "",
            "Training and evaluation time: " + ", ".join(f"{n} {r.seconds:.0f} s" for n, r in runs.items()) +
            " (nan: reused from an earlier invocation).", ""]
  report = common.write_report(workdir, lines)
  return report
