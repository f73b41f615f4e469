r"""Mode collapse on the 2-D ring and grid and on Stacked MNIST: the vanilla GAN against its fixes.

  python -m launch.reproduce mode_collapse --workdir runs/mode_collapse [--quick]
  >>> jaxgen.studies.run("mode_collapse", "runs/mode_collapse", quick=True)  # doctest: +SKIP

Trains, with 5 seeds each (vmapped), the vanilla GAN, the
unrolled GAN (5 and 10 steps), MAD-GAN, PacGAN and WGAN-GP on the 2-D `ring`
and `grid`, then the vanilla DCGAN and the best of those fixes (most grid
modes, then ring modes, then high-quality fraction) on `stacked_mnist`. Every
run is a resumable sweep workdir `<workdir>/<benchmark>/<method>/`; re-running
the command resumes or reuses finished runs. It writes `<workdir>/report.md`
(one table per benchmark, mean +- standard error over seeds, the published
rows beside ours with their sources), `<workdir>/summary.csv` and the figures
in `<workdir>/figures/`. `--quick` shortens every run and uses 3 seeds (see
QUICK_STEPS and QUICK_SEEDS; Stacked MNIST is then only a pipeline check of the
DCGAN against QUICK_STACKED_FIX: 20 steps, 2,600 final samples) so the whole study runs on a 2-core CPU in about
15 minutes; its numbers show the trends at best, not converged values.
"""

import pathlib

import ml_collections
import numpy as np

from configs import grid_gan, ring_gan, stacked_mnist_dcgan
from jaxgen import plots
from jaxgen.data import mixtures
from jaxgen.engine import workdir as workdir_lib
from jaxgen.metrics.series import collapse_onset
from jaxgen.studies import common
from jaxgen.studies.common import fmt
from jaxgen.studies.published import PUBLISHED

BENCHMARKS_2D = {"ring": ring_gan, "grid": grid_gan}
# Method name -> config overrides on top of the benchmark's vanilla GAN config.
FIXES_2D = {
    "GAN": {},
    "Unrolled GAN (5)": {"method.unroll_steps": 5},
    "Unrolled GAN (10)": {"method.unroll_steps": 10},
    "MAD-GAN (8)": {"method.num_generators": 8},
    "PacGAN4": {"method.pack": 4},
    "WGAN-GP": {"method.objective": "wgan_gp", "method.n_critic": 5,  # Gulrajani et al. (2017), Alg. 1.
                "optimizer.generator.learning_rate": 1e-4, "optimizer.generator.b2": 0.9,
                "optimizer.critic.learning_rate": 1e-4, "optimizer.critic.b2": 0.9},
    "R1 (0.1)": {"method.r1_gamma": 0.1},  # Mescheder et al. (2018), Eq. 9; configs/grid_best.py.
    "Spectral norm": {"model.spectral_norm": True},  # Miyato et al. (2018).
}
SMOKE_FIXES = ("GAN", "Spectral norm")  # The 2-D settings of a smoke run (`common.smoke_subset`).
QUICK_STEPS = {"ring": 500, "grid": 500, "stacked_mnist": 20}
QUICK_SEEDS = 3
QUICK_STACKED_FIX = "PacGAN4"  # --quick compares this fix with the DCGAN on stacked MNIST.
METRICS = {"ring": ("modes_captured", "high_quality", "kl"), "grid": ("modes_captured", "high_quality", "kl"),
           "stacked_mnist": ("modes", "kl", "frechet_distance", "precision", "recall")}


def study_config(module, overrides: dict, quick: bool, benchmark: str, smoke: bool = False
                 ) -> ml_collections.ConfigDict:
  """A setting's config: the module's (its smoke config with `smoke`), its overrides, and --quick's cuts."""
  config = module.get_config("smoke" if smoke else "")
  config.update_from_flattened_dict(overrides)
  if quick:
    config.train.steps = min(config.train.steps, QUICK_STEPS[benchmark])
  for player, updates_per_step in (("generator", 1), ("critic", config.method.n_critic)):
    if config.optimizer[player].decay_steps:  # Decay over the whole run.
      config.optimizer[player].decay_steps = config.train.steps * updates_per_step
  if quick:  # Five evaluations, figures and checkpoints per run; a smoke run needs two to draw a series.
    for name in ("eval_every", "figure_every", "checkpoint_every"):
      config.train[name] = max(1, min(config.train[name], config.train.steps // (2 if smoke else 5)))
    config.train.log_every = min(config.train.log_every, config.train.eval_every)
    if benchmark == "stacked_mnist":  # DCGANs are slow on CPU: a pipeline check, 2,600 samples at the end.
      config.eval.num_samples = config.eval.series_samples
      config.train.eval_every = config.train.steps
  return config


def first_lost_mode_step(records: list[dict], seed_index: int, name: str = "modes_captured") -> int | None:
  """The eval step after which this seed never again has as many modes as it once had.

  With c(t) the modes captured at eval step t, it is the first step t with
  c(t') < max_{s <= t} c(s) for every t' >= t (a mode lost and never got back);
  None if the final count equals the best count ever reached.
  """
  steps = [r["step"] for r in records if name in r]
  return collapse_onset(steps, [r[name][seed_index] for r in records if name in r], fraction=1.0)


def published_rows(benchmark: str) -> list[str]:
  rows = []
  for r in PUBLISHED.get(benchmark, []):
    if r.get("modes") is None:
      continue
    pm = lambda v, se: "—" if v is None else (f"{v:g}" + (f" ± {se:g}" if se is not None else ""))
    cells = [pm(r["modes"], r.get("modes_se"))]
    if benchmark != "stacked_mnist":
      cells.append(pm(r.get("high_quality"), r.get("high_quality_se")))
    cells.append(pm(r.get("kl"), r.get("kl_se")))
    if benchmark == "stacked_mnist":
      cells += ["—"] * 3  # Fréchet distance, precision, recall: not reported in these tables.
    rows.append(f"| {r['method']} — published | {r.get('trials') or '?'} | " + " | ".join(cells) +
                f" | {r['source']} |")
  return rows


def figures(workdir: pathlib.Path, runs: dict, histograms: dict) -> list[str]:
  """Writes the study's figures; returns their paths relative to the workdir."""
  figdir = workdir / "figures"
  figdir.mkdir(parents=True, exist_ok=True)
  written = []
  for benchmark in BENCHMARKS_2D:
    rows = {n: {int(p.stem.split("_")[1]): np.load(p)[0]
                for p in sorted((run_dir / "figures" / "samples").glob("step_*.npy"))}
            for (b, n), run_dir in runs.items() if b == benchmark}
    fig = plots.scatter_over_steps(rows, mixtures.MIXTURES[benchmark]().means, 1.5 if benchmark == "ring" else 5.5)
    fig.savefig(figdir / f"{benchmark}_samples.png")
    written.append(f"figures/{benchmark}_samples.png")
  panels = {}
  for benchmark in ("ring", "grid", "stacked_mnist"):
    name_key = "modes" if benchmark == "stacked_mnist" else "modes_captured"
    panels[f"{benchmark}: modes captured (mean ± s.e.)"] = {
        name: common.series(run_dir, name_key) for (b, name), run_dir in runs.items() if b == benchmark}
  plots.series_panels(panels).savefig(figdir / "modes_vs_step.png")
  written.append("figures/modes_vs_step.png")
  plots.sorted_counts(histograms, 26_000 / 1000, "mode (digit triple), sorted by count",
                      "samples of 26,000 (seed 0)").savefig(figdir / "stacked_mnist_modes.png")
  written.append("figures/stacked_mnist_modes.png")
  return written


def run(workdir: pathlib.Path, quick: bool = False, num_seeds: int | None = None, smoke: bool = False) -> str:
  """Runs the study and writes report.md; returns its text. `num_seeds` None: 5, or QUICK_SEEDS with --quick.
  `smoke`: --quick on the smoke configs of SMOKE_FIXES (a pipeline check of seconds per run, for tests)."""
  quick = quick or smoke
  num_seeds = num_seeds or (QUICK_SEEDS if quick else 5)
  seeds = list(range(num_seeds))
  runs, results, configs, seconds = {}, {}, {}, {}
  fixes_2d = common.smoke_subset(FIXES_2D, SMOKE_FIXES, smoke)

  def do(benchmark, name, config):
    run_dir = workdir / benchmark / common.slug(name)
    print(f"[{benchmark}] {name} -> {run_dir}", flush=True)
    done = common.study_run(config, run_dir, seeds)
    results[(benchmark, name)], seconds[(benchmark, name)] = done.result, done.seconds
    runs[(benchmark, name)], configs[(benchmark, name)] = run_dir, config

  for benchmark, module in BENCHMARKS_2D.items():
    for name, overrides in fixes_2d.items():
      do(benchmark, name, study_config(module, overrides, quick, benchmark, smoke))
  stats = {k: {n: common.mean_and_se(v[n]) for n in METRICS[k[0]]} for k, v in results.items()}
  fixes = [n for n in fixes_2d if n != "GAN"]
  # --quick: an unrolled DCGAN runs its critic updates in a lax.scan, which XLA:CPU makes very slow.
  best = QUICK_STACKED_FIX if quick else max(
      fixes, key=lambda n: (stats[("grid", n)]["modes_captured"][0], stats[("ring", n)]["modes_captured"][0],
                            stats[("grid", n)]["high_quality"][0]))
  do("stacked_mnist", "DCGAN", study_config(stacked_mnist_dcgan, {}, quick, "stacked_mnist", smoke))
  do("stacked_mnist", best, study_config(stacked_mnist_dcgan, FIXES_2D[best], quick, "stacked_mnist", smoke))
  stats = {k: {n: common.mean_and_se(v[n]) for n in METRICS[k[0]]} for k, v in results.items()}
  histograms = {name: np.asarray(results[("stacked_mnist", name)]["mode_counts"][0]) for name in ("DCGAN", best)}
  written = figures(workdir, runs, histograms)

  lines = [f"# Mode collapse: {'quick' if quick else 'full'} study", "",
           f"Command: `python -m launch.reproduce mode_collapse --workdir {workdir}" + (" --quick`" if quick else "`"),
           f"{num_seeds} seeds per method (vmapped on ring/grid; one after another on stacked MNIST, see its config), mean ± standard error over seeds. Ours: 2,500 samples for "
           "ring/grid (a sample is high quality within 3 std of its nearest mean; a mode is captured with at "
           "least one high-quality sample; KL is KL(mode histogram of high-quality samples || uniform), nats), "
           "26,000 samples for stacked MNIST (modes = distinct digit triples by the MNIST classifier, of 1,000; "
           "KL to uniform over 1,000). Published rows are printed as their papers give them (high quality in "
           "percent there and here), each read in its authors' own table image "
           "(see jaxgen/studies/published.py). The published runs train far longer (PacGAN: 400 epochs of 100k points "
           "per 2-D run) with other networks, so compare trends, not decimals." +
           (f" QUICK MODE: {QUICK_STEPS['ring']} steps on ring/grid; Stacked MNIST is a pipeline check only "
            f"({QUICK_STEPS['stacked_mnist']} steps, 2,600 samples), far from the protocol." if quick else ""), ""]
  for benchmark in ("ring", "grid"):
    steps = configs[(benchmark, "GAN")].train.steps
    lines += [f"## {benchmark} ({8 if benchmark == 'ring' else 25} modes, {steps} generator steps)", "",
              "| method | seeds | modes captured | high quality (%) | KL (nats) | run time / source |",
              "|---|---|---|---|---|---|"]
    for name in fixes_2d:
      s = results[(benchmark, name)]
      lines.append(f"| {name} | {num_seeds} | {fmt(s['modes_captured'])} | {fmt(s['high_quality'], 100)} | "
                   f"{fmt(s['kl'])} | {seconds[(benchmark, name)]:.0f} s |")
    lines += published_rows(benchmark) + [""]
    records = workdir_lib.read_metrics(runs[(benchmark, "GAN")])
    lost = [first_lost_mode_step(records, i) for i in range(num_seeds)]
    lines += [f"Vanilla GAN, step at which it loses a mode and never gets it back (per seed; coverage logged "
              f"every {configs[(benchmark, 'GAN')].train.eval_every} steps): "
              + ", ".join("never" if s is None else str(s) for s in lost) + ".", ""]
  lines += ["## stacked_mnist (1,000 modes)", "",
            (f"Fix: **{best}** (--quick uses {QUICK_STACKED_FIX}; the full study takes the best 2-D fix: most "
             "grid modes, then ring modes, then high quality)." if quick else
             f"Best 2-D fix (most grid modes, then ring modes, then high quality): **{best}**."), "",
            "| method | seeds | modes | KL (nats) | FD (classifier features) | precision | recall | run time / source |",
            "|---|---|---|---|---|---|---|---|"]
  for name in ("DCGAN", best):
    s = results[("stacked_mnist", name)]
    lines.append(f"| {name} | {num_seeds} | {fmt(s['modes'])} | {fmt(s['kl'])} | {fmt(s['frechet_distance'])} | "
                 f"{fmt(s['precision'])} | {fmt(s['recall'])} | {seconds[('stacked_mnist', name)]:.0f} s |")
  lines += published_rows("stacked_mnist")
  lines += ["", "## Figures", ""] + [f"![{p}]({p})" for p in written] + [""]
  lines += [f"Training and evaluation time of all runs: {np.nansum(list(seconds.values())):.0f} s "
            "(runs reused from an invocation before times were recorded show nan).", ""]
  report = common.write_report(workdir, lines)
  csv = ["benchmark,method,seeds," + ",".join(f"{m}_mean,{m}_se" for m in sorted({m for v in METRICS.values() for m in v}))]
  for (benchmark, name), s in stats.items():
    cells = [f"{s[m][0]:.6g},{s[m][1]:.6g}" if m in s else "," for m in
             sorted({m for v in METRICS.values() for m in v})]
    csv.append(f"{benchmark},{name},{num_seeds}," + ",".join(cells))
  (workdir / "summary.csv").write_text("\n".join(csv) + "\n")
  return report
