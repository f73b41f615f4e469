"""What the launch scripts share: the config flags, building a run, its final evaluation, clean failures."""

import sys

from absl import flags
from absl import logging
import jax
import ml_collections
import numpy as np
from ml_collections import config_flags

from jaxgen import data as data_lib
from jaxgen import engine
from jaxgen import metrics
from jaxgen.data.real import RealData, make_real
from jaxgen.engine.loop import run_keys
from jaxgen.engine.workdir import config_keys
from jaxgen.methods import METHODS
from jaxgen.metrics.classifier import ClassifierError, channel_labels, load_classifier
from jaxgen.metrics.coverage import coverage_fn
from jaxgen.metrics.features import feature_metrics

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

  Raises:
    ValueError: for an unknown method name (and the method's own checks).
    DatasetNotFoundError, ClassifierError: from the data and the classifier.
  """
  if config.method.name not in METHODS:
    raise ValueError(f"config.method.name={config.method.name!r}; choose one of {sorted(METHODS)}")
  real = make_real(config.data)
  method = METHODS[config.method.name](config, real.sample)
  evaluate = coverage_fn(config.data.name, real) if "eval_every" in config.train else None
  return real, method, evaluate


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
  """
  runs = [None] if seeds is None else list(seeds)
  classifier = load_classifier() if config.data.name == "stacked_mnist" else None  # Loaded once.
  results = []
  for i, seed in enumerate(runs):
    one = state if seed is None else jax.tree.map(lambda x: x[i], state)  # pylint: disable=cell-var-from-loop
    key = run_keys(config.seed if seed is None else seed)["eval"]
    samples = method.sample(one, key, config.eval.num_samples)
    if real.mixture is not None:
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
