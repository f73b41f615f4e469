"""One experiment from its config: data, method, training, and the end-of-run evaluation written to eval.json.

  >>> from configs import ring_gan
  >>> result, state, method, real = train_and_evaluate(ring_gan.get_config("smoke"), "/tmp/ring")  # doctest: +SKIP

`launch.train` and `launch.sweep` are this module behind flags, and every
study (`jaxgen.studies`) runs its settings through `train_and_evaluate`.
What a run is evaluated with is chosen by registries, never by asking a
method or dataset its name elsewhere: a method with the `encode` capability
(`jaxgen.methods.base.CAPABILITIES`: the VAEs) gets `vae_evaluation`; any other is judged by its samples, with the
metrics `SAMPLE_EVALUATIONS` gives its `config.data.name`.
"""

import fnmatch
import json
import pathlib
from typing import Any, Callable

import jax
import jax.numpy as jnp
import ml_collections
import numpy as np

from jaxgen import data as data_lib
from jaxgen import engine
from jaxgen.engine import mesh as engine_mesh
from jaxgen import methods
from jaxgen.data.letters import LETTERS
from jaxgen.data.real import RealData, make_real
from jaxgen.engine.loop import run_keys
from jaxgen.metrics import drums as drum_metrics
from jaxgen.metrics import letters as letter_metrics
from jaxgen.metrics import modes
from jaxgen.metrics import vae as vae_metrics
from jaxgen.metrics.classifier import channel_labels, classifier_logits, load_classifier
from jaxgen.metrics.coverage import coverage_fn
from jaxgen.metrics.features import feature_metrics
from jaxgen.metrics.images import sample_quality
from jaxgen.methods.hvae import GREEDY_TEMPERATURE

FEATURE_SAMPLES = 5000  # Samples for Fréchet distance and precision/recall in classifier features.
SAMPLE_CHUNK = 1000  # Samples per call of the final evaluation: a DDPM U-Net on 26,000 images needs gigabytes.

_COUNT = ("an integer >= 1", lambda v: v >= 1 and float(v).is_integer())
_NONNEGATIVE = (">= 0", lambda v: v >= 0)
_POSITIVE = ("> 0", lambda v: v > 0)
_FRACTION = ("in [0, 1]", lambda v: 0 <= v <= 1)
# The valid values of every numeric config key, as (dotted-key pattern (fnmatch), (says, check)); the first
# pattern that matches a key applies, and a list value (layer widths) is checked entry by entry. `check_ranges`
# refuses a config with a value outside before anything is built or written; tests/test_experiment.py checks
# that every numeric key of every config file has a pattern here, so a new key needs its range too.
VALID_RANGES = (
    ("seed", ("an integer", lambda v: float(v).is_integer())),
    ("train.mesh.*", ("an integer >= 0 (0: automatic)", lambda v: v >= 0 and float(v).is_integer())),
    ("train.*", _COUNT),
    ("eval.*_samples", _COUNT),
    ("eval.confidence", _FRACTION),
    ("eval.collapse_fraction", _FRACTION),
    ("optimizer*.learning_rate", _POSITIVE),
    ("optimizer*.b1", ("in [0, 1)", lambda v: 0 <= v < 1)),  # Adam's moment decays (Kingma & Ba, 2015).
    ("optimizer*.b2", ("in [0, 1)", lambda v: 0 <= v < 1)),
    ("optimizer*.decay_steps", _NONNEGATIVE),  # 0 = constant learning rate.
    ("method.batch_size", _COUNT),
    ("method.n_critic", _COUNT),
    ("method.num_generators", _COUNT),
    ("method.pack", _COUNT),
    ("method.num_classes", _COUNT),
    ("method.aux_drop_window", _COUNT),
    ("method.unroll_steps", ("an integer >= 0", lambda v: v >= 0 and float(v).is_integer())),
    ("method.gradient_penalty", _NONNEGATIVE),
    ("method.r1_gamma", _NONNEGATIVE),
    ("method.r2_gamma", _NONNEGATIVE),
    ("method.path_length_weight", _NONNEGATIVE),
    ("method.path_length_decay", ("in (0, 1]", lambda v: 0 < v <= 1)),
    ("method.path_energy_weight", _NONNEGATIVE),
    ("method.kl_weight", _NONNEGATIVE),
    ("method.free_bits", _NONNEGATIVE),
    ("method.latent_noise", _NONNEGATIVE),
    ("method.aux_drop_threshold", _FRACTION),
    ("method.adaptive_aux_factor", (">= 1", lambda v: v >= 1)),
    ("method.max_aux_scale", (">= 1", lambda v: v >= 1)),
    ("method.sample_temperature", _POSITIVE),
    ("method.temperature.start", _POSITIVE),
    ("method.temperature.end", _POSITIVE),
    ("method.temperature.decay_steps", _NONNEGATIVE),
    ("method.*.num_cycles", _COUNT),  # Schedules (jaxgen.schedules).
    ("method.*.ratio", _FRACTION),
    ("method.*.max_value", _NONNEGATIVE),
    ("method.*.midpoint", _NONNEGATIVE),
    ("method.*.warmup_steps", _NONNEGATIVE),
    ("method.*.steepness", _NONNEGATIVE),
    ("method.num_timesteps", _COUNT),
    ("method.sample_steps", _COUNT),
    ("method.ema_decay", ("in [0, 1)", lambda v: 0 <= v < 1)),
    ("method.eta", _FRACTION),
    ("model.*dropout*", ("in [0, 1)", lambda v: 0 <= v < 1)),  # dropout_rate, critic_dropout.
    ("model.minibatch_kernels", ("an integer >= 0", lambda v: v >= 0 and float(v).is_integer())),  # 0 = off.
    ("model.echo_clip", ("in (0, 1)", lambda v: 0 < v < 1)),  # Echo noise converges only for a scale < 1.
    ("model.*", _COUNT),  # Widths, channels, latent and code sizes.
    ("data.bars", ("1, 2 or 4", lambda v: v in data_lib.BARS)),  # Bars per drum pattern (jaxgen.data.drums).
)


def range_errors(config: ml_collections.ConfigDict) -> list[str]:
  """One line per numeric value of `config` outside its `VALID_RANGES` entry, e.g. "optimizer.learning_rate
  = -0.001 must be > 0"; [] for a valid config. Booleans and strings are not range-checked."""
  errors = []
  for key, value in engine.workdir.flat_config(config).items():
    values = value if isinstance(value, list) else [value]
    if not values or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
      continue
    rule = next((r for pattern, r in VALID_RANGES if fnmatch.fnmatchcase(key, pattern)), None)
    if rule is not None and not all(rule[1](v) for v in values):
      errors.append(f"{key} = {value!r} must be {rule[0]}")
  return errors


def check_ranges(config: ml_collections.ConfigDict) -> None:
  """Raises ValueError naming every config value outside its valid range (`range_errors`)."""
  errors = range_errors(config)
  if errors:
    raise ValueError("; ".join(errors))


def build(config: ml_collections.ConfigDict):
  """(RealData, Method, time-series evaluate or None) of a config.

  The time-series evaluation (`jaxgen.metrics.coverage.coverage_fn`) is
  built when `config.train` has `eval_every`.

  Raises:
    ValueError: a value outside its valid range (`check_ranges`), a batch
      larger than the training set, an unknown method name, and the
      method's own checks.
    DatasetNotFoundError, ClassifierError: from the data and the classifier.
  """
  check_ranges(config)
  real = make_real(config.data)
  size = len(next(iter(real.train.values()))) if real.train else None  # Mixtures are sampled, not a set.
  if size is not None and config.method.batch_size > size:
    raise ValueError(f"method.batch_size = {config.method.batch_size} is larger than the {size} training examples "
                     f"of data.name={config.data.name!r}")
  method = methods.build(config, real)
  evaluate = (coverage_fn(config.data.name, real, confidence=config.eval.get("confidence", 0.9))
              if "eval_every" in config.train else None)
  return real, method, evaluate


HELD_OUT_SAMPLES = 10_000  # Held-out draws of the data without a split of the model's shape (`eval.held_out_samples`).


def held_out_examples(real: RealData, draws: int = HELD_OUT_SAMPLES) -> np.ndarray:
  """The test split in the models' range and shape, float32 in [-1, 1] for the image and drum data.

  Digits [N, 28, 28, 1] and drum patterns [N, 16, 9]: the test split.
  Stacked MNIST [draws, 28, 28, 3]: triples of test digits (`stacked_batch`).
  The 2-D mixtures [draws, 2]: draws from the mixture itself (the data are
  sampled, so any draw is held out). Both draws use a fixed key: every model
  of the data sees the same examples.
  """
  key = jax.random.key(0)
  if real.mixture is not None:
    return np.asarray(real.sample(key, draws))
  if "image" not in real.test:
    return np.asarray(data_lib.patterns_to_model_range(real.test["pattern"]))
  digits = real.test["image"]  # uint8.
  channels = jax.eval_shape(lambda k: real.sample(k, 1), key).shape[-1]
  if channels == digits.shape[-1]:
    return np.asarray(data_lib.to_model_range(digits))
  return np.asarray(data_lib.stacked_batch(jnp.asarray(digits), key, draws))  # Stacked MNIST, from uint8 digits.


# ----------------------------------------------------------------------------- evaluations of samples
# Each: (config, real) -> (method, state, samples float32 [n, ...], key) -> dict. Built once per run, so a
# classifier is loaded once for all seeds of a sweep.


def _mixture_evaluation(config, real):
  """ring / grid: `metrics.modes.mixture_coverage` (VEEGAN/PacGAN protocol)."""
  coverage = coverage_fn(config.data.name, real)
  return lambda method, state, samples, key: coverage(samples)


def _stacked_mnist_evaluation(config, real):
  """Digit-triple modes and KL, `mode_counts` (the histogram over the 1,000 triples), and Fréchet distance and
  precision/recall (k=3) in classifier features on FEATURE_SAMPLES samples against as many real stacked digits."""
  params = load_classifier().params

  def evaluate(method, state, samples, key):
    labels = channel_labels(params, samples)  # Each channel classified once, for the coverage and the histogram.
    result = modes.stacked_mnist_coverage(labels)
    result["mode_counts"] = np.bincount(np.asarray(labels) @ np.array([100, 10, 1]), minlength=1000)
    n = min(FEATURE_SAMPLES, len(samples))
    result.update(feature_metrics(params, samples[:n], real.sample(jax.random.fold_in(key, 1), n)))
    return result

  return evaluate


def _pixel_evaluation(config, real):
  """mnist*: pixel Fréchet distance and classes covered (`metrics.sample_quality`) against the test split."""
  to_float = data_lib.to_model_range
  return lambda method, state, samples, key: sample_quality(
      samples, to_float(real.test["image"]), to_float(real.train["image"]), real.train["label"])


def _letters_evaluation(config, real):
  """`letters_evaluation` with the cached letter classifier."""
  params = load_classifier(name="letters").params
  return lambda method, state, samples, key: letters_evaluation(method, state, config, samples, params, key)


# config.data.name -> the evaluation of a generative model's samples.
SAMPLE_EVALUATIONS = {"ring": _mixture_evaluation, "grid": _mixture_evaluation,
                      "stacked_mnist": _stacked_mnist_evaluation, "letters": _letters_evaluation,
                      "mnist": _pixel_evaluation, "mnist_subset": _pixel_evaluation}


def letters_evaluation(method, state, config: ml_collections.ConfigDict, samples: jax.Array, params,
                       key: jax.Array) -> dict:
  """Letter coverage of `samples` (`jaxgen.metrics.letters.letter_coverage` at `eval.confidence`).

  Returns coverage, letters_present, entropy (nats), confident (fractions),
  counts (per letter, A..Z) and missing (the absent letters as a string).
  Conditional methods (`generate_conditional`: AC-GAN) conditioned first on
  the letter also get class_accuracy, per_class_accuracy: the fraction of
  samples generated for each letter (eval.num_samples // 26 per letter,
  the other attributes at random) that the classifier confidently calls
  that letter.
  """
  confidence = config.eval.confidence
  result = letter_metrics.letter_coverage(classifier_logits(params, samples, "letters"), confidence)
  result = {k: np.asarray(v).tolist() for k, v in result.items()}
  result["missing"] = "".join(letter_metrics.missing_letters(result["counts"]))
  if methods.has_capability(method, "generate_conditional") and config.method.attributes[0] == "label":
    m, per_class = config.method, max(1, config.eval.num_samples // len(LETTERS))
    first = np.repeat(np.arange(m.num_classes[0]), per_class)
    keys = jax.random.split(jax.random.fold_in(key, 1), len(m.attributes) + 1)
    labels = {name: jnp.asarray(first) if i == 0 else jax.random.randint(keys[i], first.shape, 0, classes)
              for i, (name, classes) in enumerate(zip(m.attributes, m.num_classes))}
    probs = jax.nn.softmax(classifier_logits(params, method.generate_conditional(state, keys[-1], labels), "letters"))
    hit = np.asarray((jnp.argmax(probs, -1) == labels[m.attributes[0]]) & (probs.max(-1) >= confidence))
    result["per_class_accuracy"] = hit.reshape(-1, per_class).mean(1).tolist()
    result["class_accuracy"] = float(hit.mean())
  return result


def vae_evaluation(method, state, config: ml_collections.ConfigDict, real: RealData, key: jax.Array) -> dict:
  """End-of-run VAE diagnostics on the test split (and on samples, for drum patterns).

  On the N `held_out_examples` (for the data drawn rather than split, N =
  `eval.held_out_samples`, 10,000 if absent), at temperature 1 and without kl_weight or free bits:
  recon_nll, kl (per level for the hierarchical VAE: kl_high, kl_low),
  elbo = -(recon_nll + kl), all in nats per example; kl_per_dim (batch-mean KL
  of every latent dimension); active_units (Burda et al., 2016: the variance
  over the test set of E_q[z_d | x] above 0.01; for z_high, E_q[z_high | z_low]
  at a sampled z_low) and mutual_information, an estimate of I(x; z) under
  the aggregate posterior (for the echo encoder, its exact rate).
  Drum patterns (a hierarchical posterior) also get, from `eval.num_samples` generated patterns:
  validity and diversity (`metrics.drums`), the style histogram of the
  samples by a style classifier trained on the training split, and
  style_accuracy: that classifier's accuracy on the greedy (T -> 0)
  reconstructions of the test patterns, i.e. whether the code keeps the style.
  Patterns of several bars are scored bar by bar: every bar of every
  pattern is one [16, 9] pattern of these metrics, with its pattern's style.
  """
  x = held_out_examples(real, config.eval.get("held_out_samples", HELD_OUT_SAMPLES))
  k_eval, k_encode, k_sample, k_recon = jax.random.split(key, 4)
  terms = jax.device_get(jax.jit(method.elbo_terms)(state, x, k_eval))
  posterior = jax.jit(method.encode)(state, x, k_encode)
  hierarchical = "high" in posterior
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
  # Multi-bar patterns [N, 16 * B, 9] are scored bar by bar (each bar keeps its pattern's style).
  bars = lambda p: np.asarray(p).reshape(-1, data_lib.STEPS, np.shape(p)[-1])
  per_pattern = x.shape[1] // data_lib.STEPS
  samples = bars(np.asarray(method.sample(state, k_sample, config.eval.num_samples)) > 0)
  result["validity"] = float(np.mean(drum_metrics.validity(samples)))
  result["diversity"] = float(drum_metrics.diversity(samples))
  if np.all(real.train["style"] >= 0):  # Style labels (not for drum_midi).
    classifier = drum_metrics.train_style_classifier(bars(real.train["pattern"]),
                                                     np.repeat(real.train["style"], per_pattern))
    recon = method.generate_from_codes(state, posterior["high"]["mean"], posterior["low"]["mean"], k_recon,
                                       GREEDY_TEMPERATURE)
    result["style_accuracy"] = float(drum_metrics.style_accuracy(classifier, bars(recon),
                                                                 np.repeat(real.test["style"], per_pattern)))
    predicted = np.asarray(drum_metrics.style_predictions(classifier, samples.astype(np.float32)))
    result["sample_styles"] = np.bincount(predicted, minlength=int(real.test["style"].max()) + 1).tolist()
  return result


def sample_in_chunks(method, state, key: jax.Array, n: int, chunk: int = SAMPLE_CHUNK) -> jax.Array:
  """n samples of one model (`method.sample`), drawn `chunk` at a time so that memory stays bounded.

  Chunk i is drawn with `fold_in(key, i)`; n <= chunk is one call with `key` itself, so such a count draws
  what `method.sample(state, key, n)` draws. Every full chunk reuses one compiled sampler.
  """
  if n <= chunk:
    return method.sample(state, key, n)
  sizes = [min(chunk, n - start) for start in range(0, n, chunk)]
  return jnp.concatenate([method.sample(state, jax.random.fold_in(key, i), size) for i, size in enumerate(sizes)])


def run_evaluation(method, config: ml_collections.ConfigDict, real: RealData) -> Callable[[Any, jax.Array], dict]:
  """(state, key) -> the end-of-run metrics of one run: `SAMPLE_EVALUATIONS[config.data.name]` of
  `eval.num_samples` samples drawn with `key`, and for a method that can `encode` (the VAEs) also
  `vae_evaluation`, so that a VAE is scored on the same sample metrics as the GANs and DDPMs of its data.
  A sample metric whose name a VAE diagnostic holds is prefixed "sample_": a VAE's "kl" is its rate, and
  "sample_kl" the KL of its samples' mode histogram (the "kl" of the other methods).

  Raises:
    ValueError: no evaluation is defined for the data (a VAE of data without sample metrics, the drum
      patterns, gets `vae_evaluation` alone).
  """
  encodes = methods.has_capability(method, "encode")
  if config.data.name not in SAMPLE_EVALUATIONS:
    if encodes:
      return lambda state, key: vae_evaluation(method, state, config, real, key)
    raise ValueError(f"no end-of-run evaluation of samples of data.name={config.data.name!r}; "
                     f"one of {sorted(SAMPLE_EVALUATIONS)}")
  evaluate = SAMPLE_EVALUATIONS[config.data.name](config, real)

  def run(state, key):
    if not encodes:
      return evaluate(method, state, sample_in_chunks(method, state, key, config.eval.num_samples), key)
    sample_key = jax.random.fold_in(key, 2)  # `key` stays vae_evaluation's, as before the sample metrics.
    result = evaluate(method, state, sample_in_chunks(method, state, sample_key, config.eval.num_samples),
                      sample_key)
    diagnostics = vae_evaluation(method, state, config, real, key)
    return {**{f"sample_{k}" if k in diagnostics else k: v for k, v in result.items()}, **diagnostics}

  return run


def final_evaluation(method, state, config: ml_collections.ConfigDict, real: RealData, seeds=None) -> dict:
  """The end-of-run metrics written to eval.json (`run_evaluation` with `run_keys(seed)["eval"]`).

  For a sweep (`seeds` given, `state` with a leading seed axis) each value
  is a list over `seeds`, and "seeds" lists them.
  """
  evaluate = run_evaluation(method, config, real)
  runs = [None] if seeds is None else list(seeds)
  results = []
  for i, seed in enumerate(runs):
    one = state if seed is None else jax.tree.map(lambda x: x[i], state)  # pylint: disable=cell-var-from-loop
    result = evaluate(one, run_keys(config.seed if seed is None else seed)["eval"])
    results.append({k: np.asarray(v).tolist() for k, v in result.items()})
  if seeds is None:
    return results[0]
  return {"seeds": runs, **{k: [r[k] for r in results] for k in results[0]}}


def train(config: ml_collections.ConfigDict, workdir: str | pathlib.Path, seeds=None, settings=None,
          fresh: bool = False, progress: bool = True):
  """Trains (or resumes, or restores a finished) run or sweep of `config` in `workdir`: (state, Method, RealData).

  `seeds`, `settings`, `fresh`, `progress` are those of `jaxgen.engine.train`.
  """
  real, method, evaluate = build(config)
  state = engine.train(method, config, workdir, fresh=fresh, progress=progress, evaluate=evaluate,
                       seeds=seeds, settings=settings)
  return state, method, real


def train_and_evaluate(config: ml_collections.ConfigDict, workdir: str | pathlib.Path, seeds=None,
                       settings=None, fresh: bool = False, progress: bool = True):
  """Trains (or resumes) a run or a sweep of `config` in `workdir`, evaluates it and writes eval.json.

  Args:
    config: the experiment config.
    workdir: the run directory (`jaxgen.engine.workdir`).
    seeds, settings, fresh, progress: as for `jaxgen.engine.train`.

  Returns:
    (eval.json's dict, final state, Method, RealData).

  Raises:
    what `build`, `jaxgen.engine.train` and `run_evaluation` raise.
  """
  state, method, real = train(config, workdir, seeds, settings, fresh, progress)
  result = final_evaluation(method, state, config, real, seeds=seeds)
  if engine_mesh.is_primary():  # Of several processes (jax.distributed), each evaluates, process 0 writes.
    engine.workdir.write_atomic(pathlib.Path(workdir) / "eval.json", json.dumps(result, indent=2) + "\n")
  return result, state, method, real
