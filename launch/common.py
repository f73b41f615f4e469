"""What the launch scripts share: the config flags, building a run, its final evaluation, clean failures."""

import json
import pathlib
import sys
import time
from typing import Any, NamedTuple

from absl import flags
from absl import logging
import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
from ml_collections import config_flags

from jaxgen import data as data_lib
from jaxgen import engine
from jaxgen import metrics
from jaxgen.data.real import RealData, make_real
from jaxgen.engine.loop import run_keys
from jaxgen.engine import workdir as workdir_lib
from jaxgen.engine.workdir import config_keys
from jaxgen.methods import METHODS
from jaxgen.data.letters import LETTERS
from jaxgen.metrics.classifier import ClassifierError, channel_labels, classifier_logits, load_classifier
from jaxgen.metrics import letters as letter_metrics
from jaxgen.metrics import drums as drum_metrics
from jaxgen.metrics import vae as vae_metrics
from jaxgen.metrics.coverage import coverage_fn
from jaxgen.metrics.features import feature_metrics

VAE_METHODS = ("vae", "hvae")

CONFIG = config_flags.DEFINE_config_file("config", None, "Experiment config file (configs/*.py[:arg]).",
                                         lock_config=True)
WORKDIR = flags.DEFINE_string("workdir", None, "Run directory; an existing run there is resumed.")
FRESH = flags.DEFINE_bool("fresh", False, "Move an existing run in --workdir aside and start over.")

# Failures a user can cause and fix: reported in one line, without a traceback.
EXPECTED_ERRORS = (data_lib.DatasetNotFoundError, engine.ConfigMismatchError, engine.CorruptCheckpointError,
                   FloatingPointError, ClassifierError)
FEATURE_SAMPLES = 5000  # Samples for Fréchet distance and precision/recall in classifier features.


def parse_flags(argv: list[str]) -> list[str]:
  """absl flag parsing; a bad `--config.<key>` exits with an error that lists the valid keys."""
  try:
    return flags.FLAGS(argv)
  except (flags.Error, AttributeError, KeyError) as e:
    while e.args and isinstance(e.args[0], Exception):  # config_flags wraps KeyError in AttributeError.
      e = e.args[0]
    message = f"FATAL flags parsing error: {e.args[0] if isinstance(e, KeyError) else e}"
    # Load the config without the overrides (config_flags reads them from sys.argv) to list its keys.
    sys.argv = [a for a in argv if not a.startswith("--config.")]
    flags.FLAGS.unparse_flags()
    flags.FLAGS(sys.argv)
    sys.exit(f"{message}\nValid config keys (override with --config.<key>=<value>):\n  " +
             "\n  ".join(config_keys(flags.FLAGS["config"].value)))


def quiet_logging() -> None:
  if not flags.FLAGS["verbosity"].present:
    logging.set_verbosity(logging.WARNING)  # Orbax logs every save at INFO.


def build(config: ml_collections.ConfigDict):
  """(RealData, Method, time-series evaluate or None) of a config.

  AC-GAN (`method.name="acgan"`) gets the labelled sampler
  `real.sample_labelled`; the other methods `real.sample`.

  Raises:
    ValueError: for an unknown method name (and the method's own checks); for
      acgan, data without labels, or a `method.attributes` entry that is no
      label of the training split or whose labels do not lie in
      [0, method.num_classes).
    DatasetNotFoundError, ClassifierError: from the data and the classifier.
  """
  if config.method.name not in METHODS:
    raise ValueError(f"config.method.name={config.method.name!r}; choose one of {sorted(METHODS)}")
  real = make_real(config.data)
  sample_real = _labelled_sampler(config, real) if config.method.name == "acgan" else real.sample
  method = METHODS[config.method.name](config, sample_real)
  evaluate = (coverage_fn(config.data.name, real, confidence=config.eval.get("confidence", 0.9))
              if "eval_every" in config.train else None)
  return real, method, evaluate


def _labelled_sampler(config: ml_collections.ConfigDict, real: RealData):
  """`real.sample_labelled`, after checking that it labels every conditioned attribute within its classes."""
  m = config.method
  if real.sample_labelled is None:
    raise ValueError(f"method.name='acgan' conditions on labels, but data.name={config.data.name!r} has none; "
                     "use a labelled image dataset (e.g. letters, mnist_subset)")
  errors = []
  for name, classes in zip(m.attributes, m.num_classes):
    if name not in real.train:
      errors.append(f"attribute {name!r} is not a label of {config.data.name!r} (it has "
                    f"{sorted(k for k in real.train if k != 'image')})")
    elif real.train[name].min() < 0 or real.train[name].max() >= classes:
      errors.append(f"attribute {name!r} has labels {real.train[name].min()}..{real.train[name].max()}, "
                    f"outside [0, {classes}): set method.num_classes to at least {real.train[name].max() + 1}")
  if errors:
    raise ValueError("method.attributes / method.num_classes do not fit the data: " + "; ".join(errors))
  return real.sample_labelled


def final_evaluation(method, state, config: ml_collections.ConfigDict, real: RealData, seeds=None) -> dict:
  """The end-of-run metrics written to eval.json; for a sweep, each value is a list over `seeds`.

  Samples: `eval.num_samples` from `run_keys(seed)["eval"]`.
  - ring / grid: `metrics.modes.mixture_coverage` (VEEGAN/PacGAN protocol).
  - stacked_mnist: digit-triple modes and KL (and `mode_counts`, the
    histogram over the 1,000 triples), plus Fréchet distance and
    precision/recall (k=3) in classifier features on FEATURE_SAMPLES samples
    against as many real stacked digits.
  - mnist*: pixel Fréchet distance and classes covered
    (`metrics.sample_quality`) against the test split.
  - letters: `letters_evaluation`.
  - VAEs (method vae / hvae): `vae_evaluation`.
  """
  runs = [None] if seeds is None else list(seeds)
  classifier = load_classifier() if config.data.name == "stacked_mnist" else None  # Loaded once.
  letter_classifier = load_classifier(name="letters") if config.data.name == "letters" else None
  results = []
  for i, seed in enumerate(runs):
    one = state if seed is None else jax.tree.map(lambda x: x[i], state)  # pylint: disable=cell-var-from-loop
    key = run_keys(config.seed if seed is None else seed)["eval"]
    if config.method.name in VAE_METHODS:
      results.append(vae_evaluation(method, one, config, real, key))
      continue
    samples = method.sample(one, key, config.eval.num_samples)
    if letter_classifier is not None:
      result = letters_evaluation(method, one, config, samples, letter_classifier.params, key)
    elif real.mixture is not None:
      result = coverage_fn(config.data.name, real)(samples)
    elif classifier is not None:  # Each channel classified once, for the coverage and the histogram.
      labels = channel_labels(classifier.params, samples)
      result = metrics.stacked_mnist_coverage(labels)
      result["mode_counts"] = np.bincount(np.asarray(labels) @ np.array([100, 10, 1]), minlength=1000)
      n = min(FEATURE_SAMPLES, config.eval.num_samples)
      reference = real.sample(jax.random.fold_in(key, 1), n)
      result.update(feature_metrics(classifier.params, samples[:n], reference))
    else:
      to_float = data_lib.to_model_range
      result = metrics.sample_quality(samples, to_float(real.test["image"]), to_float(real.train["image"]),
                                      real.train["label"])
    results.append({k: np.asarray(v).tolist() for k, v in result.items()})
  if seeds is None:
    return results[0]
  return {"seeds": runs, **{k: [r[k] for r in results] for k in results[0]}}


def mean_and_se(values) -> tuple[float, float]:
  """Mean and standard error (sample std with ddof=1, over sqrt(n); 0 for one value) of a list of numbers."""
  values = np.asarray(values, np.float64)
  if not np.all(np.isfinite(values)):
    return float(values.mean()), float("nan")  # E.g. KL = inf: some seed has no high-quality sample.
  se = values.std(ddof=1) / np.sqrt(len(values)) if len(values) > 1 else 0.0
  return float(values.mean()), float(se)


def summary_tables(rows: list[tuple[str, dict]], names: list[str] | None = None) -> tuple[str, str]:
  """(markdown, csv) tables of per-seed results: one row per setting, mean +- s.e. per metric.

  Args:
    rows: (setting name, result) pairs; a result maps metric names to lists
      over seeds (as `final_evaluation` returns for a sweep) and "seeds".
    names: the metrics to show, in order; default: every scalar metric of the first row.
  """
  names = names or [k for k, v in rows[0][1].items() if k != "seeds" and np.ndim(v) == 1]
  md = ["| setting | seeds | " + " | ".join(names) + " |", "|---" * (len(names) + 2) + "|"]
  csv = ["setting,seeds," + ",".join(f"{n}_mean,{n}_se" for n in names)]
  for setting, result in rows:
    stats = [mean_and_se(result[n]) for n in names]
    md.append(f"| {setting} | {len(result['seeds'])} | " + " | ".join(f"{m:.3g} ± {s:.2g}" for m, s in stats) + " |")
    csv.append(f"{setting},{len(result['seeds'])}," + ",".join(f"{m:.6g},{s:.6g}" for m, s in stats))
  return "\n".join(md) + "\n", "\n".join(csv) + "\n"


def slug(name: str) -> str:
  """A setting's name as a directory name: lower case, non-alphanumerics as '_'."""
  return "".join(ch if ch.isalnum() else "_" for ch in name.lower()).strip("_")


class StudyRun(NamedTuple):
  """A finished sweep of a study: eval.json contents, training seconds, and the trained state (leading seed axis)."""

  result: dict
  seconds: float
  state: Any
  method: Any
  real: RealData


def study_run(config, run_dir: pathlib.Path, seeds: list[int], settings: dict | None = None) -> StudyRun:
  """Trains, resumes or reuses one sweep of a study.

  `settings` are per-seed state fields (`engine.train`). A finished run
  (eval.json, and study.json recording the same config, seeds and settings)
  is not trained or evaluated again: its final checkpoint is restored, and
  `seconds` is the training time of the invocation that made it.
  """
  eval_path, study_path, seconds_path = run_dir / "eval.json", run_dir / "study.json", run_dir / "seconds.txt"
  requested = {**workdir_lib.config_to_dict(config), "seeds": seeds, **({"settings": settings} if settings else {})}
  finished = eval_path.exists() and study_path.exists() and json.loads(study_path.read_text()) == requested
  start = time.time()
  real, method, evaluate = build(config)
  state = engine.train(method, config, run_dir, evaluate=evaluate, seeds=seeds, settings=settings,
                       progress=not finished)
  if finished:
    return StudyRun(json.loads(eval_path.read_text()),
                    float(seconds_path.read_text()) if seconds_path.exists() else float("nan"), state, method, real)
  result = final_evaluation(method, state, config, real, seeds=seeds)
  eval_path.write_text(json.dumps(result, indent=2) + "\n")
  study_path.write_text(json.dumps(requested, indent=2, sort_keys=True) + "\n")
  seconds_path.write_text(f"{time.time() - start:.1f}\n")
  return StudyRun(result, time.time() - start, state, method, real)


def held_out_examples(real: RealData) -> np.ndarray:
  """The test split in the models' range: float32 [N, 28, 28, 1] digits or [N, 16, 9] drum patterns, in [-1, 1]."""
  if "image" in real.test:
    return np.asarray(data_lib.to_model_range(real.test["image"]))
  return np.asarray(data_lib.patterns_to_model_range(real.test["pattern"]))


def vae_evaluation(method, state, config: ml_collections.ConfigDict, real: RealData, key: jax.Array) -> dict:
  """End-of-run VAE diagnostics on the test split (and on samples, for drum patterns).

  On the N test examples, at temperature 1 and without kl_weight or free bits:
  recon_nll, kl (per level for the hierarchical VAE: kl_high, kl_low),
  elbo = -(recon_nll + kl), all in nats per example; kl_per_dim (batch-mean KL
  of every latent dimension); active_units (Burda et al., 2016: the variance
  over the test set of E_q[z_d | x] above 0.01; for z_high, E_q[z_high | z_low]
  at a sampled z_low) and mutual_information, an estimate of I(x; z) under
  the aggregate posterior (for the echo encoder, its exact rate).
  Drum patterns also get, from `eval.num_samples` generated patterns:
  validity and diversity (`metrics.drums`), the style histogram of the
  samples by a style classifier trained on the training split, and
  style_accuracy: that classifier's accuracy on the greedy (T -> 0)
  reconstructions of the test patterns, i.e. whether the code keeps the style.
  """
  x = held_out_examples(real)
  k_eval, k_encode, k_sample, k_recon = jax.random.split(key, 4)
  terms = jax.device_get(jax.jit(method.evaluate)(state, x, k_eval))
  posterior = jax.jit(method.encode)(state, x, k_encode)
  hierarchical = config.method.name == "hvae"
  levels = {"_high": posterior["high"], "_low": posterior["low"]} if hierarchical else {"": posterior}
  kl_total = sum(terms[f"kl{level}"] for level in levels)
  result = {"elbo": float(-(terms["recon_nll"] + kl_total).mean()), "recon_nll": float(terms["recon_nll"].mean())}
  for level, q in levels.items():
    result[f"kl{level}"] = float(terms[f"kl{level}"].mean())
    result[f"active_units{level}"] = int(vae_metrics.active_units(q["mean"])[0])
    result[f"mutual_information{level}"] = float(
        vae_metrics.mutual_information(q["mean"], q["logvar"], q["z"]) if "logvar" in q else terms["kl"].mean())
    result[f"kl_per_dim{level}"] = terms[f"kl{level}_per_dim" if hierarchical else "kl_per_dim"].mean(0).tolist()
  if not hierarchical:
    return result
  samples = np.asarray(method.sample(state, k_sample, config.eval.num_samples)) > 0
  result["validity"] = float(np.mean(drum_metrics.validity(samples)))
  result["diversity"] = float(drum_metrics.diversity(samples))
  if np.all(real.train["style"] >= 0):  # Style labels (not for drum_midi).
    classifier = drum_metrics.train_style_classifier(real.train["pattern"], real.train["style"])
    recon = method.generate(state, posterior["high"]["mean"], posterior["low"]["mean"], k_recon, 1e-3)
    result["style_accuracy"] = float(drum_metrics.style_accuracy(classifier, np.asarray(recon), real.test["style"]))
    predicted = np.asarray(drum_metrics.style_predictions(classifier, samples.astype(np.float32)))
    result["sample_styles"] = np.bincount(predicted, minlength=int(real.test["style"].max()) + 1).tolist()
  return result


def letters_evaluation(method, state, config: ml_collections.ConfigDict, samples: jax.Array, params,
                       key: jax.Array) -> dict:
  """Letter coverage of `samples` (`jaxgen.metrics.letters.letter_coverage` at `eval.confidence`).

  Returns coverage, letters_present, entropy (nats), confident (fractions),
  counts (per letter, A..Z) and missing (the absent letters as a string).
  AC-GAN runs conditioned first on the letter also get class_accuracy, per_class_accuracy: the fraction of
  samples generated for each letter (eval.num_samples // 26 per letter,
  the other attributes at random) that the classifier confidently calls
  that letter.
  """
  confidence = config.eval.confidence
  result = letter_metrics.letter_coverage(classifier_logits(params, samples, "letters"), confidence)
  result = {k: np.asarray(v).tolist() for k, v in result.items()}
  result["missing"] = "".join(letter_metrics.missing_letters(result["counts"]))
  if config.method.name == "acgan" and config.method.attributes[0] == "label":
    m, per_class = config.method, max(1, config.eval.num_samples // len(LETTERS))
    first = np.repeat(np.arange(m.num_classes[0]), per_class)
    keys = jax.random.split(jax.random.fold_in(key, 1), len(m.attributes) + 1)
    labels = {name: jnp.asarray(first) if i == 0 else jax.random.randint(keys[i], first.shape, 0, classes)
              for i, (name, classes) in enumerate(zip(m.attributes, m.num_classes))}
    probs = jax.nn.softmax(classifier_logits(params, method.generate(state, keys[-1], labels), "letters"))
    hit = np.asarray((jnp.argmax(probs, -1) == labels[m.attributes[0]]) & (probs.max(-1) >= confidence))
    result["per_class_accuracy"] = hit.reshape(-1, per_class).mean(1).tolist()
    result["class_accuracy"] = float(hit.mean())
  return result
