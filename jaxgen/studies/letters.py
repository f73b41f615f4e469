r"""The letters study: which letters a GAN keeps, when it collapses, what the fixes recover; AC-GAN's auxiliary loss.

  python -m launch.reproduce letters --workdir runs/letters [--quick]
  >>> jaxgen.studies.run("letters", "runs/letters_quick", quick=True)  # doctest: +SKIP

Trains on `letters` (26 capital letters in 22 fonts, `jaxgen.data.letters`),
3 seeds per setting (`--seeds` changes it):

  DCGAN                      configs/letters_dcgan.py, non-saturating loss
  PacGAN2                    the same with method.pack = 2 (Lin et al., 2018)
  Minibatch discrimination   the same with model.minibatch_kernels = 50 (Salimans et al., 2016)
  AC-GAN                     configs/letters_acgan.py, conditioned on the letter (Odena et al., 2017)
  AC-GAN + remedies          the same with latent noise 0.1 and an adaptive auxiliary weight (x2 per drop)

Every `eval_every` steps each run logs the letter coverage of 1,000 samples
(`jaxgen.metrics.letters`); the report gives the final coverage (mean +-
s.e. over seeds), each fix's gain over the vanilla DCGAN, the letters the
DCGAN keeps and loses (and when), the collapse onset (the first evaluation
after which coverage stays below `eval.collapse_fraction` of its running
maximum), AC-GAN's class accuracy and its auxiliary-loss drops, and the
figures. Every run is a resumable workdir `<workdir>/<setting>/`; re-running
the command reuses finished runs. The seeds of a setting are one
program (`jaxgen.engine.loop.seed_axis`: vmapped on a GPU or TPU, mapped on a CPU).

`--quick` (QUICK_OVERRIDES) trains narrower networks (generator 32 channels,
critic 32/64, batch 32) for 500 steps and scores 500 samples per evaluation,
so the study takes about 15 minutes on a 2-core CPU; the full study (3,000
steps of the full-width DCGAN, batch 64: 37 epochs of the 5,200 training
letters) takes about 2 hours there (the README gives the measured time).
"""

import pathlib

import jax
import jax.numpy as jnp
import ml_collections
import numpy as np

from configs import letters_acgan, letters_dcgan
from jaxgen import plots
from jaxgen.data.letters import LETTERS
from jaxgen.metrics import series as series_metrics
from jaxgen.metrics.classifier import classifier_logits, load_classifier
from jaxgen.studies import common
from jaxgen.studies.common import fmt, series

VANILLA = "DCGAN"
FIXES = {"PacGAN2": {"method.pack": 2}, "Minibatch discrimination": {"model.minibatch_kernels": 50}}
ACGANS = {"AC-GAN": {}, "AC-GAN + remedies": {"method.latent_noise": 0.1, "method.adaptive_aux_factor": 2.0}}
NUM_SEEDS = 3
QUICK_OVERRIDES = {"train.steps": 500, "train.eval_every": 50, "train.log_every": 25, "train.figure_every": 125,
                   "train.checkpoint_every": 250, "model.generator_features": 32, "model.critic_features": (32, 64),
                   "method.batch_size": 32, "eval.series_samples": 500}
ROWS_PER_CLASS = 8  # AC-GAN grids: samples per letter.


def study_config(module, overrides: dict, quick: bool, smoke: bool = False) -> ml_collections.ConfigDict:
  """A setting's config: the module's (its smoke config with `smoke`), its overrides, the quick ones."""
  config = module.get_config("smoke" if smoke else "")
  config.update_from_flattened_dict(overrides)
  if quick and not smoke:
    config.update_from_flattened_dict(QUICK_OVERRIDES)
  return config


def letter_counts(run_dir: pathlib.Path) -> tuple[np.ndarray, np.ndarray]:
  """(steps [T], confident samples per letter [T, seeds, 26]) of the coverage time series."""
  steps = series(run_dir, "count/A")[0]
  return steps, np.stack([series(run_dir, f"count/{letter}")[1] for letter in LETTERS], -1)


def figure_samples(run_dir: pathlib.Path) -> dict[int, np.ndarray]:
  """{step: seed 0's saved figure samples [n, 28, 28, 1]} of a sweep."""
  return {int(p.stem.split("_")[1]): np.load(p)[0] for p in sorted((run_dir / "figures" / "samples").glob("step_*.npy"))}


def best_per_letter(samples: np.ndarray, params, confidence: float) -> np.ndarray:
  """[26, 28, 28, 1]: each letter's most confident sample, NaN where no sample is that letter with `confidence`."""
  probs = np.asarray(jax.nn.softmax(classifier_logits(params, jnp.asarray(samples), "letters")))
  out = np.full((len(LETTERS), *samples.shape[1:]), np.nan, np.float32)
  for k in range(len(LETTERS)):
    mine = np.flatnonzero((probs.argmax(1) == k) & (probs.max(1) >= confidence))
    if len(mine):
      out[k] = samples[mine[np.argmax(probs[mine, k])]]
  return out


def dynamics(run_dir: pathlib.Path) -> dict[str, dict[str, tuple[np.ndarray, np.ndarray]]]:
  """The panels of `plots.training_dynamics`: losses, coverage, D/G loss ratio and gradient norms over seeds."""
  (steps, d_loss), (_, g_loss) = series(run_dir, "d_loss"), series(run_dir, "g_loss")
  return {"losses": {"D loss": (steps, d_loss), "G loss": (steps, g_loss)},
          "coverage (letters present / 26)": {"coverage": series(run_dir, "coverage")},
          "D/G loss ratio": {"D loss / G loss": (steps, d_loss / g_loss)},
          "gradient norms": {"D": series(run_dir, "d_grad_norm"), "G": series(run_dir, "g_grad_norm")}}


def aux_drops(run_dir: pathlib.Path) -> tuple:
  """(steps, auxiliary loss on fakes, steps with a detected drop, (coverage steps, coverage)) of seed 0."""
  steps, aux = series(run_dir, "aux_fake")
  coverage_steps, coverage = series(run_dir, "coverage")
  return steps, aux[:, 0], steps[series(run_dir, "aux_drop")[1][:, 0] > 0], (coverage_steps, coverage[:, 0])


def run(workdir: pathlib.Path, quick: bool = False, num_seeds: int | None = None, smoke: bool = False) -> str:
  """Runs the study and writes report.md; returns its text. `smoke`: the smoke configs (a pipeline check)."""
  quick = quick or smoke
  seeds = list(range(num_seeds or NUM_SEEDS))
  fixes = common.smoke_subset(FIXES, (), smoke)  # Smoke: no fix; the DCGAN and one AC-GAN fill every table.
  acgans = common.smoke_subset(ACGANS, ("AC-GAN + remedies",), smoke)
  settings = {VANILLA: (letters_dcgan, {}), **{n: (letters_dcgan, o) for n, o in fixes.items()},
              **{n: (letters_acgan, o) for n, o in acgans.items()}}
  runs, configs = {}, {}
  for name, (module, overrides) in settings.items():
    configs[name] = study_config(module, overrides, quick, smoke)
    print(f"[letters] {name} -> {workdir / common.slug(name)}", flush=True)
    runs[name] = common.study_run(configs[name], workdir / common.slug(name), seeds)
  dirs = {name: workdir / common.slug(name) for name in settings}
  config = configs[VANILLA]
  fraction, confidence = config.eval.collapse_fraction, config.eval.confidence
  classifier = load_classifier(name="letters")

  figdir = workdir / "figures"
  figdir.mkdir(parents=True, exist_ok=True)
  written = []

  def save(fig, name):
    fig.savefig(figdir / name)
    written.append(f"figures/{name}")

  grids = {f"step {step}": best_per_letter(x, classifier.params, confidence)
           for step, x in figure_samples(dirs[VANILLA]).items()}
  save(plots.alphabet_grids({f"{t}: {int(np.sum(~np.isnan(g[:, 0, 0, 0])))}/26 letters" : g
                             for t, g in grids.items()}, "".join(LETTERS)), "alphabet_dcgan.png")
  gans = [VANILLA, *fixes]
  fig = plots.grouped_bars({name: np.mean(runs[name].result["counts"], 0) for name in gans}, list(LETTERS),
                           f"confident samples of {config.eval.num_samples} (mean over seeds)")
  save(fig, "letter_counts.png")
  fig = plots.series_panels({"coverage (mean ± s.e.)": {name: series(dirs[name], "coverage") for name in settings}},
                            width=7, height=3.6)
  save(fig, "coverage_vs_step.png")
  save(plots.training_dynamics(dynamics(dirs[VANILLA]),
                               f"{VANILLA}: training dynamics (mean ± s.e. over {len(seeds)} seeds)"),
       "dynamics_dcgan.png")
  steps, counts = letter_counts(dirs[VANILLA])
  save(plots.count_heatmap(steps, counts.mean(1), list(LETTERS),
                           f"{VANILLA}: confident samples per letter (mean over seeds)"), "survival_dcgan.png")
  for name in acgans:
    run = runs[name]
    state = jax.tree.map(lambda x: x[0], run.state)
    first = jnp.repeat(jnp.arange(len(LETTERS)), ROWS_PER_CLASS)
    labels = {a: first if a == "label" else jnp.zeros_like(first) for a in configs[name].method.attributes}
    images = np.asarray(run.method.generate_conditional(state, jax.random.key(0), labels))
    save(plots.class_rows(images.reshape(len(LETTERS), ROWS_PER_CLASS, *images.shape[1:]), list(LETTERS),
                          f"{name}, seed 0: one row per conditioned letter"), f"rows_{common.slug(name)}.png")
  save(plots.drop_monitor({name: aux_drops(dirs[name]) for name in acgans}), "acgan_aux_loss.png")

  onsets = {}
  for name in settings:
    eval_steps, coverage = series(dirs[name], "coverage")
    onsets[name] = [series_metrics.collapse_onset(eval_steps, c, fraction) for c in coverage.T]
  lines = [f"# Letters: mode collapse on 26 letters ({'quick' if quick else 'full'} study)", "",
           f"Command: `python -m launch.reproduce letters --workdir {workdir}" + (" --quick`" if quick else "`"), "",
           f"{len(seeds)} seeds per setting, {config.train.steps} generator steps; mean ± standard error over seeds. "
           f"Coverage = letters with at least one sample the letter classifier (validation accuracy "
           f"{classifier.test_accuracy:.4f}) gives probability >= {confidence}, of 26, from "
           f"{config.eval.num_samples} samples; entropy of the letter histogram in nats (uniform: "
           f"{np.log(26):.3f}); confident = fraction of samples that count for a letter. Collapse onset: the "
           f"first evaluation (every {config.train.eval_every} steps, {config.eval.series_samples} samples each) after "
           f"which coverage stays below {fraction:g} x its running maximum (per seed; — = none)." +
           (" QUICK MODE: narrow networks, short runs; trends at best." if quick else ""), "",
           "| setting | seeds | coverage | letters present | entropy (nats) | confident | class accuracy | "
           "collapse onset | run time |", "|---|---|---|---|---|---|---|---|---|"]
  for name in settings:
    r = runs[name].result
    accuracy = fmt(r["class_accuracy"]) if "class_accuracy" in r else "—"
    onset = ", ".join("—" if s is None else str(s) for s in onsets[name])
    lines.append(f"| {name} | {len(seeds)} | {fmt(r['coverage'])} | {fmt(r['letters_present'])} | "
                 f"{fmt(r['entropy'])} | {fmt(r['confident'])} | {accuracy} | {onset} | {runs[name].seconds:.0f} s |")
  vanilla_present = np.asarray(runs[VANILLA].result["letters_present"], np.float64)
  lines += ["", "Fixes against the vanilla DCGAN (letters present at the end, mean over the same seeds):", ""]
  for name in [*fixes, *acgans]:
    gain = np.asarray(runs[name].result["letters_present"], np.float64) - vanilla_present
    lines.append(f"- {name}: {np.mean(vanilla_present):.1f} -> "
                 f"{np.mean(runs[name].result['letters_present']):.1f} letters ({fmt(gain)} per seed)")
  final_counts = np.asarray(runs[VANILLA].result["counts"])  # [seeds, 26]
  survive = "".join(l for l, c in zip(LETTERS, final_counts.min(0)) if c > 0)
  missing = [runs[VANILLA].result["missing"][i] or "none" for i in range(len(seeds))]
  lost = [series_metrics.lost_steps(steps, counts[:, i], LETTERS) for i in range(len(seeds))]
  lost_text = ["; ".join(f"{l} at {s}" for l, s in sorted(d.items(), key=lambda x: (x[1] is None, x[1] or 0))
                         if s is not None) or "none" for d in lost]
  mean_counts = final_counts.mean(0)
  order = np.argsort(-mean_counts)
  lines += ["", f"## {VANILLA}: which letters survive", "",
            f"- Present at the end in every seed: {survive or 'none'} ({len(survive)} letters).",
            "- Missing at the end, per seed: " + " | ".join(missing) + ".",
            "- Lost during training (present at an evaluation, absent from then on, at least the last two "
            "evaluations), per seed: " +
            " | ".join(lost_text) + ".",
            "- Most samples (mean over seeds): " + ", ".join(f"{LETTERS[k]} {mean_counts[k]:.0f}" for k in order[:5]) +
            "; fewest: " + ", ".join(f"{LETTERS[k]} {mean_counts[k]:.0f}" for k in order[-5:]) + ".", ""]
  monitor = configs[next(iter(acgans))].method  # The drop monitor's settings, shared by the AC-GAN settings.
  lines += ["## AC-GAN: auxiliary-loss drops", "",
            f"A drop is an event where the auxiliary cross-entropy on generated images falls by more than "
            f"{monitor.aux_drop_threshold:g} (relative) between two windows of "
            f"{monitor.aux_drop_window} steps; its log interval is marked in "
            "figures/acgan_aux_loss.png.", ""]
  for name in acgans:
    steps_d, drops = series(dirs[name], "aux_drop")
    per_seed = ["; ".join(str(s) for s in steps_d[drops[:, i] > 0]) or "none" for i in range(len(seeds))]
    r = runs[name].result
    worst = np.argsort(np.mean(r["per_class_accuracy"], 0))[:5]
    lines.append(f"- {name}: drops (log steps) per seed: " + " | ".join(per_seed) +
                 f"; class accuracy {fmt(r['class_accuracy'])}; least accurate letters: " +
                 ", ".join(f"{LETTERS[k]} {np.mean(r['per_class_accuracy'], 0)[k]:.2f}" for k in worst) + ".")
  lines += ["", "## Figures", ""] + [f"![{p}]({p})" for p in written] + [""]
  lines += [f"Training and evaluation time of all runs: {np.nansum([r.seconds for r in runs.values()]):.0f} s.", ""]
  report = common.write_report(workdir, lines)
  return report
