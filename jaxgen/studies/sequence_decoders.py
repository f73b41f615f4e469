r"""Sequence decoders: does the drum VAE's decoder remember bar 1 at bar 4, and how fast is each?

  python -m launch.reproduce sequence_decoders --workdir runs/sequence_decoders [--quick]
  >>> jaxgen.studies.run("sequence_decoders", "runs/sequence_decoders", quick=True)  # doctest: +SKIP

configs/drum_sequences.py on `drum_patterns` of 1, 2 and 4 bars (the last bar
repeats bar 1 with a fill; with 4 bars, bars 2 and 3 are new draws of the
style, so only bar 1 tells the last bar's optional parts), with three
decoders: flax's LSTM (sigmoid forget gate), the same LSTM with a tanh forget
gate (`jaxgen.nn.ForgetGateLSTMCell`), and a causal Transformer (the code as
its first token; `jaxgen.nn.TransformerSequenceDecoder`). `num_seeds` seeds
(default 3) per setting, one sweep each. Per setting:

* accuracy per bar: the greedy (T -> 0) reconstructions of the test patterns
  from their posterior means, the fraction of cells equal to the test
  pattern's, bar by bar. Each step's input is the decoder's own previous
  output, so bar 4 is right only if the decoder carried bar 1 (or the code
  holds it);
* repeat in samples: in `REPEAT_SAMPLES` samples (temperature 1), the
  fraction of the last bar's cells in steps 0-11 equal to bar 1's, and, as
  the baseline of copying the bar just before, to bar B-1's (4 bars); and
  among the cells where bars 1 and 3 differ, the fraction where the last bar
  takes bar 1's (0.5: no preference); the test patterns give the data's own
  values;
* ELBO, validity, diversity and style accuracy of eval.json (bar by bar);
* the decoder's parameter count (the Transformer at width 128 has about
  five times the LSTM's at 4 bars: read its accuracies with that in mind);
* training steps/s of one seed (`TIMING_STEPS` jitted steps after compiling;
  the LSTM's teacher forcing is a scan over the steps, the Transformer's one
  parallel pass) and the sampling time per pattern (`REPEAT_SAMPLES` patterns at once, compiled).
Writes report.md and figures/.
"""

import copy
import pathlib
import time

import jax
import jax.numpy as jnp
import numpy as np

from configs import drum_sequences
from jaxgen import plots
from jaxgen.data import drums
from jaxgen.experiment import held_out_examples
from jaxgen.methods.hvae import GREEDY_TEMPERATURE
from jaxgen.studies import common
from jaxgen.studies.common import fmt, member

DECODERS = {"lstm": "LSTM (sigmoid forget gate)", "lstm_tanh": "LSTM (tanh forget gate)",
            "transformer": "Transformer"}
BARS = (1, 2, 4)
SETTINGS = tuple(f"{decoder},{bars}" for bars in BARS for decoder in DECODERS)  # drum_sequences arguments.
SMOKE_SETTINGS = ("lstm,4", "transformer,4")
QUICK_STEPS = 500
REPEAT_SAMPLES = 1000  # Samples per seed of the repeat statistic and of the sampling time (a smoke run: 100).
TIMING_STEPS = 20
REPEATED = slice(0, 12)  # The last bar's steps that repeat bar 1 (its fourth beat is the fill).


def per_bar_accuracy(method, state, x: np.ndarray, key: jax.Array) -> np.ndarray:
  """Accuracy per bar, float [B], of one model's greedy reconstructions of x (float32 [N, 16 B, 9] in {-1, 1})."""
  def reconstruct(state, x, key):
    q = method.encode(state, x, key)
    return method.generate_from_codes(state, q["high"]["mean"], q["low"]["mean"], key, GREEDY_TEMPERATURE)

  recon = np.asarray(jax.jit(reconstruct)(state, jnp.asarray(x), key)) > 0.5
  hit = recon == (x > 0)
  return hit.reshape(len(x), -1, drums.STEPS, hit.shape[-1]).mean(axis=(0, 2, 3))


def repeat_agreement(patterns: np.ndarray) -> tuple[float, float, float]:
  """Does the last bar copy bar 1? Over the cells of steps 0-11 of patterns [N, 16 B, 9] (on when > 0), B >= 2:
  (the fraction where the last bar equals bar 1, where it equals bar B-1, and, among the cells where bars 1
  and B-1 differ, the fraction where it takes bar 1's value: 0.5 is no preference; nan for B = 2)."""
  bars = (np.asarray(patterns) > 0).reshape(len(patterns), -1, drums.STEPS, patterns.shape[-1])[:, :, REPEATED]
  last, first, previous = bars[:, -1], bars[:, 0], bars[:, -2]
  differ = first != previous
  prefers_first = float(np.mean(last[differ] == first[differ])) if differ.any() else float("nan")
  return float(np.mean(last == first)), float(np.mean(last == previous)), prefers_first


def decoder_parameters(state) -> int:
  """Number of parameters of the drum VAE's decoder (`DrumDecoder`) in one seed's state."""
  return sum(int(np.size(p)) for p in jax.tree.leaves(state.params["params"]["decode_net"]))


def train_speed(method, state, key: jax.Array) -> float:
  """Training steps per second of one seed: `TIMING_STEPS` steps as one jitted scan, compiled ahead."""
  steps = jax.jit(lambda s: jax.lax.scan(lambda s, i: (method.step(s, jax.random.fold_in(key, i))[0], None),
                                         s, jnp.arange(TIMING_STEPS))[0]).lower(state).compile()
  start = time.time()
  jax.block_until_ready(steps(state))
  return TIMING_STEPS / (time.time() - start)


def run(workdir: pathlib.Path, quick: bool = False, num_seeds: int | None = None, smoke: bool = False) -> str:
  """Runs the sequence-decoder study and writes report.md; returns its text."""
  seeds = list(range(num_seeds or 3))
  draws = 100 if smoke else REPEAT_SAMPLES
  figdir = workdir / "figures"
  figdir.mkdir(parents=True, exist_ok=True)
  key = jax.random.key(0)
  rows = {}
  for setting in common.smoke_subset(SETTINGS, SMOKE_SETTINGS, smoke):
    config = common.shorten(drum_sequences.get_config(setting + (",smoke" if smoke else "")),
                            (quick or smoke) and QUICK_STEPS)
    run_dir = workdir / common.slug(setting)
    print(f"[sequence_decoders] {setting} -> {run_dir}", flush=True)
    done = common.study_run(config, run_dir, seeds)
    x = held_out_examples(done.real)
    one = member(done.state, 0)
    accuracy = np.stack([per_bar_accuracy(done.method, member(done.state, i), x, jax.random.fold_in(key, i))
                         for i in range(len(seeds))], 1)  # [B, seeds]
    sample = jax.jit(lambda state, key: done.method.sample(state, key, draws))
    drawn = [common.timed_samples(sample, member(done.state, i), jax.random.fold_in(key, 10 + i))
             for i in range(len(seeds))]  # One program for every seed; the sampling time is seed 0's.
    samples, per_1000 = [np.asarray(s) for s, _ in drawn], drawn[0][1]
    repeats = np.array([repeat_agreement(s) for s in samples]) if config.data.bars > 1 else None
    rows[setting] = dict(done=done, config=config, x=x, accuracy=accuracy, repeats=repeats, samples=samples[0],
                         parameters=decoder_parameters(one),
                         speed=train_speed(done.method, one, jax.random.fold_in(key, 30)), sample_ms=per_1000)

  # Figures: accuracy against bar for each length; samples of 4-bar patterns.
  panels = {}
  for setting, r in rows.items():
    decoder, bars = setting.split(",")
    if int(bars) > 1:
      panels.setdefault(f"{bars} bars", {})[DECODERS[decoder]] = (np.arange(1, int(bars) + 1), r["accuracy"])
  if panels:
    plots.series_panels(panels, xlabel="bar", ylabel="reconstruction accuracy (cells)").savefig(
        figdir / "accuracy_per_bar.png")
  shown = [s for s in rows if s.endswith(",4")]
  for setting in shown:
    plots.piano_rolls(rows[setting]["samples"][:8], ncols=4, instruments=drums.INSTRUMENTS).savefig(
        figdir / f"samples_{common.slug(setting)}.png")

  # The report.
  lines = [f"# Sequence decoders in the drum VAE: {'quick' if quick else 'full'} study", "",
           f"Command: `python -m launch.reproduce sequence_decoders --workdir {workdir}"
           + (" --quick`" if quick else "`"), "",
           "configs/drum_sequences.py (the hierarchical drum VAE, free bits 0.5 nats per dimension), "
           f"{len(seeds)} seeds per setting, mean ± s.e. over seeds. Accuracy per bar: greedy reconstructions of "
           "the 200 test patterns from their codes, each step fed the decoder's own previous output. Repeat: "
           f"in {draws} samples (T = 1), the fraction of the last bar's cells in steps 0-11 equal to bar "
           "1's, and to the bar before it's. Speeds on this machine, one seed, compiled.", ""]
  for bars in BARS:
    here = [s for s in rows if s.endswith(f",{bars}")]
    if not here:
      continue
    x = rows[here[0]]["x"]
    columns = ["decoder parameters", "ELBO"] + [f"acc. bar {b + 1}" for b in range(bars)]
    columns += (["last = bar 1", "last = bar 3", "bar 1's where 1, 3 differ"] if bars == 4 else
                ["last = bar 1"] if bars == 2 else [])
    columns += ["validity", "diversity", "style acc.", "train steps/s", "ms per sample", "train time"]
    lines += [f"## {bars} bar{'s' if bars > 1 else ''}", ""]
    if bars > 1:
      first, previous, prefers = repeat_agreement(x)
      lines += [f"Test patterns themselves: last bar = bar 1 in {first:.3f} of the cells"
                + (f", = bar {bars - 1} in {previous:.3f}" if bars > 2 else "")
                + " (the 5% cell flips keep these below 1)"
                + (f"; where bars 1 and 3 differ, the last bar has bar 1's cell in {prefers:.3f}." if bars == 4
                   else "."), ""]
    lines += ["| decoder | " + " | ".join(columns) + " |", "|---" * (len(columns) + 1) + "|"]
    for setting in here:
      r, result = rows[setting], rows[setting]["done"].result
      cells = [f"{r['parameters']:,}", fmt(result["elbo"])] + [fmt(a) for a in r["accuracy"]]
      if bars > 1:
        cells += [fmt(r["repeats"][:, 0])] + ([fmt(r["repeats"][:, 1]), fmt(r["repeats"][:, 2])] if bars == 4 else [])
      cells += [fmt(result[k]) for k in ("validity", "diversity", "style_accuracy")]
      cells += [f"{r['speed']:.0f}", f"{r['sample_ms']:.3g}", f"{r['done'].seconds:.0f} s"]
      lines.append(f"| {DECODERS[setting.split(',')[0]]} | " + " | ".join(cells) + " |")
    lines.append("")
  lines += ["## Findings", ""]
  for setting in shown:
    r = rows[setting]
    drop = r["accuracy"][-1] - r["accuracy"][0]
    lines.append(f"- {DECODERS[setting.split(',')[0]]}, 4 bars: accuracy of bar 4 minus bar 1 {fmt(drop)}; in "
                 f"samples the last bar repeats bar 1 in {fmt(r['repeats'][:, 0])} of the cells against "
                 f"{fmt(r['repeats'][:, 1])} for bar 3, and where bars 1 and 3 differ it takes bar 1's cell in "
                 f"{fmt(r['repeats'][:, 2])} (0.5: no memory of bar 1); {r['speed']:.0f} training steps/s, "
                 f"{r['sample_ms']:.3g} ms per sampled pattern.")
  lines += ["", "![accuracy per bar](figures/accuracy_per_bar.png)" if panels else "", "",
            "Samples, 4 bars, seed 0: " + ", ".join(f"[{DECODERS[s.split(',')[0]]}](figures/samples_"
                                                     f"{common.slug(s)}.png)" for s in shown) + ".", "",
            common.TRAIN_TIME_NOTE, ""]
  return common.write_report(workdir, lines)
