"""The classifiers behind the Stacked MNIST, letter-coverage and feature metrics: train, cache, load.

Metrics that judge digits by a classifier (Stacked MNIST mode counts, Metz et
al., 2017, Sec. 3.3; Srivastava et al., 2017, Sec. 5.2; Fréchet distance and
precision/recall in its features) need one trained on real digits. No
pretrained network can be downloaded offline, so jaxgen trains
`jaxgen.nn.classifier.MNISTClassifier` on `mnist_subset` (4,500 real training
digits) in well under a minute on a CPU, the first time a metric needs it, and
caches it. The same recipe gives the letter classifier of the `letters`
coverage metrics (26 classes, trained on the 5,200 `letters` training images,
scored on the 1,560 validation ones). `CLASSIFIERS` names both:

  <cache>/<name>_classifier/checkpoint/   Orbax StandardCheckpointer params
  <cache>/<name>_classifier/info.json     test_accuracy, dataset, steps, seed, ...

where <cache> is the `cache_dir` argument, else `$JAXGEN_CACHE`, else
`~/.cache/jaxgen`. The cache is written into a temporary sibling folder and
renamed into place only when complete, so a killed training never leaves a
half-written cache behind. `python -m launch.classifier [--dataset letters]
--retrain` rebuilds it.

The `classifier_*` and `channel_*` functions are pure jnp (jit/vmap-able).
"""

import functools
import json
import os
import pathlib
import shutil
import tempfile
import time
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax
import orbax.checkpoint as ocp

from jaxgen import data as data_lib
from jaxgen.nn.classifier import MNISTClassifier



class ClassifierSpec(NamedTuple):
  """What a named classifier is and how it is trained and accepted.

  Attributes:
    dataset: the `jaxgen.data.DATASETS` name it is trained on (split "train").
    held_out: the split its accuracy is measured on.
    model: the `MNISTClassifier` module (its `num_classes` is the dataset's).
    min_accuracy: held-out accuracy (0..1) below which it is not cached or used.
    steps: training steps of batch 128.
  """

  dataset: str
  held_out: str
  model: MNISTClassifier
  min_accuracy: float
  steps: int


CLASSIFIERS = {
    "mnist": ClassifierSpec("mnist_subset", "test", MNISTClassifier(channels=(16, 32), feature_dim=128,
                                                                    dropout_rate=0.5), 0.97, 800),
    "letters": ClassifierSpec("letters", "validation", MNISTClassifier(channels=(16, 32), feature_dim=128,
                                                                       num_classes=26, dropout_rate=0.5), 0.95, 800),
}
MODEL = CLASSIFIERS["mnist"].model
MIN_ACCURACY = CLASSIFIERS["mnist"].min_accuracy
TRAIN_STEPS = CLASSIFIERS["mnist"].steps
INFO_FILE = "info.json"
CHECKPOINT_DIR = "checkpoint"
_FIX = "Delete {path} (it is rebuilt on next use) or run `python -m launch.classifier --retrain`."


class ClassifierError(RuntimeError):
  """The cached classifier is missing, unreadable, or not accurate enough."""


class Classifier(NamedTuple):
  """A trained classifier.

  Attributes:
    params: the `MNISTClassifier` parameter pytree (`{"params": ...}`).
    test_accuracy: fraction (0..1) of its held-out split (the 500
      `mnist_subset` test digits; the 1,560 `letters` validation images) it
      classifies correctly.
  """

  params: Any
  test_accuracy: float


# ----------------------------------------------------------------------------- pure functions


@functools.partial(jax.jit, static_argnames="name")  # Called eagerly by the final evaluations: one program.
def classifier_logits(params, x: jax.Array, name: str = "mnist") -> jax.Array:
  """Class logits of single-channel images.

  Args:
    params: `MNISTClassifier` parameters (`Classifier.params`).
    x: float32 [B, 28, 28, 1] in [-1, 1].
    name: the `CLASSIFIERS` entry the params belong to.

  Returns:
    float32 [B, num_classes] (10 digits, 26 letters).
  """
  return CLASSIFIERS[name].model.apply(params, x)


def classifier_features(params, x: jax.Array, name: str = "mnist") -> jax.Array:
  """Penultimate-layer features of single-channel images.

  Args:
    params: `MNISTClassifier` parameters.
    x: float32 [B, 28, 28, 1] in [-1, 1].
    name: the `CLASSIFIERS` entry the params belong to.

  Returns:
    float32 [B, D] (D = 128), non-negative.
  """
  return CLASSIFIERS[name].model.apply(params, x, method=MNISTClassifier.features)


def _per_channel(fn, params, x: jax.Array, batch_size: int | None) -> jax.Array:
  """fn(params, [b, 28, 28, 1]) -> [b, ...] on every channel of x [B, 28, 28, C] -> [B, C, ...].

  The B * C channels form one batch of single-channel images. With
  `batch_size`, `lax.map` runs over chunks of `batch_size` examples (the last
  one zero-padded), which bounds the memory of the activations for large B.
  Small chunks are also faster on a CPU: the convolutions' im2col windows of
  100 examples stay in cache (26,000 Stacked-MNIST samples: 100 per chunk took
  ~0.5x the time of 1,000 per chunk on the 2-core CPU, measured side by side).
  """
  b, h, w, c = x.shape
  as_images = lambda x: jnp.moveaxis(x, -1, 1).reshape((-1, h, w, 1))  # [b, h, w, c] -> [b * c, h, w, 1]
  if batch_size is None or batch_size >= b:
    out = fn(params, as_images(x))
  else:
    chunks = -(-b // batch_size)
    x = jnp.pad(x, ((0, chunks * batch_size - b), (0, 0), (0, 0), (0, 0)))
    out = jax.lax.map(lambda xi: fn(params, as_images(xi)), x.reshape((chunks, batch_size, h, w, c)))
  return out.reshape((-1, c, *out.shape[-1:]))[:b]


@functools.partial(jax.jit, static_argnames="batch_size")
def channel_labels(params, x: jax.Array, batch_size: int | None = 100) -> jax.Array:
  """Predicted digit of every channel, classified separately (Stacked MNIST modes).

  Args:
    params: `MNISTClassifier` parameters.
    x: float32 [B, 28, 28, C] in [-1, 1] (C = 3 for Stacked MNIST).
    batch_size: examples evaluated at once (bounds memory and time); None: all B.

  Returns:
    int32 [B, C]; feed it to `jaxgen.metrics.modes.stacked_mnist_coverage`.
  """
  return jnp.argmax(_per_channel(classifier_logits, params, x, batch_size), axis=-1).astype(jnp.int32)


@functools.partial(jax.jit, static_argnames="batch_size")
def channel_features(params, x: jax.Array, batch_size: int | None = 100) -> jax.Array:
  """Penultimate features of every channel, concatenated channel by channel.

  Args:
    params: `MNISTClassifier` parameters.
    x: float32 [B, 28, 28, C] in [-1, 1].
    batch_size: examples evaluated at once (bounds memory and time); None: all B.

  Returns:
    float32 [B, C * D]: features of channel 0, then of channel 1, ...
  """
  feats = _per_channel(classifier_features, params, x, batch_size)
  return feats.reshape((x.shape[0], -1))


# ----------------------------------------------------------------------------- training


def _train_compiler_options() -> dict | None:
  """XLA options of the classifier's training program: backend optimisation level 1 on a CPU, None elsewhere."""
  return {"xla_backend_optimization_level": 1} if jax.default_backend() == "cpu" else None


def _random_shift(key: jax.Array, images: jax.Array, max_shift: int) -> jax.Array:
  """Translates each image of float [B, H, W, C] by up to `max_shift` pixels (background -1 fill)."""
  b, h, w, c = images.shape
  padded = jnp.pad(images, ((0, 0), (max_shift,) * 2, (max_shift,) * 2, (0, 0)), constant_values=-1.0)
  offsets = jax.random.randint(key, (b, 2), 0, 2 * max_shift + 1)
  crop = lambda img, o: jax.lax.dynamic_slice(img, (o[0], o[1], 0), (h, w, c))
  return jax.vmap(crop)(padded, offsets)


@functools.partial(jax.jit, static_argnames="name")
def _accuracy(params, images: jax.Array, labels: jax.Array, name: str) -> jax.Array:
  """float32 [] share of uint8 [N, 28, 28, 1] `images` whose predicted class is `labels` (int [N])."""
  predicted = jnp.argmax(classifier_logits(params, data_lib.to_model_range(images), name), axis=-1)
  return jnp.mean(predicted == labels)


def train_classifier(data_dir: str | None = None, seed: int = 0, steps: int | None = None,
                     batch_size: int = 128, learning_rate: float = 3e-3, max_shift: int = 2,
                     steps_per_call: int = 2, name: str = "mnist") -> tuple[Any, float]:
  """Trains the `CLASSIFIERS[name]` network on its dataset with Adam, dropout and random shifts.

  Minimises softmax cross-entropy with `optax.adam` under a cosine learning
  rate decay, dropout 0.5 on the features and random translations of up to
  `max_shift` pixels. Batches are drawn on the device from `fold_in(key,
  step)`; `steps_per_call` steps run per jitted call as an unrolled
  `lax.scan` (XLA:CPU runs convolution gradients inside a while loop ~30x
  slower, and compiling an unrolled scan takes longer the more steps it
  holds: 2 is fastest overall). The defaults see 800 x 128 examples, about 23 epochs of mnist_subset.

  Args:
    data_dir: TFDS data directory (None: the TFDS default); `mnist_subset` /
      `letters` is prepared there on first use.
    seed: PRNG seed of initialisation, batches and augmentation.
    steps: optimizer steps (a multiple of `steps_per_call`); None: the spec's.
    batch_size: examples per step.
    learning_rate: peak Adam learning rate.
    max_shift: images are translated by up to this many pixels (0: off).
    steps_per_call: steps fused in one `lax.scan`.
    name: a `CLASSIFIERS` key ("mnist" or "letters").

  Returns:
    (params, test_accuracy): the parameters and the fraction (0..1) of the
    dataset's held-out split classified correctly.

  Raises:
    ValueError: if `steps` is not a positive multiple of `steps_per_call`.
    jaxgen.data.DatasetNotFoundError: if the dataset cannot be read.
  """
  spec = CLASSIFIERS[name]
  steps = spec.steps if steps is None else steps
  if steps <= 0 or steps % steps_per_call:
    raise ValueError(f"steps={steps} must be a positive multiple of steps_per_call={steps_per_call}")
  train = data_lib.load(spec.dataset, "train", data_dir)
  test = data_lib.load(spec.dataset, spec.held_out, data_dir)
  images, labels = jax.device_put(train["image"]), jax.device_put(train["label"])
  key_init, key_data = jax.random.split(jax.random.key(seed))
  optimizer = optax.adam(optax.cosine_decay_schedule(learning_rate, steps))

  @jax.jit  # Eagerly, each of the init's ops would compile on its own: seconds, more than the program.
  def init(key):
    params = spec.model.init(key, jnp.zeros((1, 28, 28, 1)))
    return params, optimizer.init(params)

  def loss_fn(params, x, y, key):
    logits = spec.model.apply(params, x, train=True, rngs={"dropout": key})
    return optax.softmax_cross_entropy_with_integer_labels(logits, y).mean()

  def step(carry, step_index):
    params, opt_state = carry
    key_batch, key_shift, key_dropout = jax.random.split(jax.random.fold_in(key_data, step_index), 3)
    idx = jax.random.randint(key_batch, (batch_size,), 0, images.shape[0])
    x = data_lib.to_model_range(images[idx])
    if max_shift:
      x = _random_shift(key_shift, x, max_shift)
    loss, grads = jax.value_and_grad(loss_fn)(params, x, labels[idx], key_dropout)
    updates, opt_state = optimizer.update(grads, opt_state, params)
    return (optax.apply_updates(params, updates), opt_state), loss

  # Compiled for speed whatever $XLA_FLAGS says (the suite sets level 0, `tests/conftest.py`): training runs
  # ~20x longer than it compiles, and level 1 runs it ~35% faster than level 0 (2-core CPU, jax 0.10.2).
  @functools.partial(jax.jit, donate_argnums=0, compiler_options=_train_compiler_options())
  def run(carry, first_step):
    return jax.lax.scan(step, carry, first_step + jnp.arange(steps_per_call), unroll=True)

  carry = init(key_init)
  for first in range(0, steps, steps_per_call):
    carry, losses = run(carry, first)
    if not np.all(np.isfinite(np.asarray(losses))):
      raise FloatingPointError(f"classifier loss is not finite at steps {first}..{first + steps_per_call}")
  params = carry[0]
  return params, float(_accuracy(params, test["image"], test["label"], name))


# ----------------------------------------------------------------------------- cache


def cache_path(cache_dir: str | os.PathLike | None = None, name: str = "mnist") -> pathlib.Path:
  """<cache>/<name>_classifier, where <cache> is `cache_dir`, else $JAXGEN_CACHE, else ~/.cache/jaxgen."""
  root = cache_dir or os.environ.get("JAXGEN_CACHE") or pathlib.Path.home() / ".cache" / "jaxgen"
  return pathlib.Path(root).expanduser().absolute() / f"{name}_classifier"


def save_classifier(path: pathlib.Path, params, info: dict) -> None:
  """Writes params (Orbax) and info.json to a temporary sibling, then renames it to `path`.

  An existing cache at `path` is replaced. If another process created `path`
  meanwhile, its cache is kept and this one discarded.
  """
  path.parent.mkdir(parents=True, exist_ok=True)
  tmp = pathlib.Path(tempfile.mkdtemp(prefix=f".{path.name}.tmp-", dir=path.parent))
  try:
    with ocp.StandardCheckpointer() as checkpointer:
      checkpointer.save(tmp / CHECKPOINT_DIR, params)
      checkpointer.wait_until_finished()
    (tmp / INFO_FILE).write_text(json.dumps(info, indent=2) + "\n")  # Written last: marks completeness.
    tmp.chmod(0o755)  # mkdtemp makes it private.
    if path.exists():  # --retrain: move the old cache aside, then drop it.
      old = pathlib.Path(tempfile.mkdtemp(prefix=f".{path.name}.old-", dir=path.parent))
      path.rename(old / path.name)
      shutil.rmtree(old, ignore_errors=True)
    try:
      tmp.rename(path)
    except OSError:
      if not (path / INFO_FILE).exists():  # Not a concurrent writer's complete cache: a real error.
        raise
  finally:
    shutil.rmtree(tmp, ignore_errors=True)


def _restore(path: pathlib.Path, name: str) -> Classifier:
  """Reads a complete cache folder; ClassifierError (with the fix) if anything is wrong."""
  fix = _FIX.format(path=path)
  model, min_accuracy = CLASSIFIERS[name].model, CLASSIFIERS[name].min_accuracy
  try:
    info = json.loads((path / INFO_FILE).read_text())
    accuracy = float(info["test_accuracy"])
  except Exception as e:  # pylint: disable=broad-except  # Missing, truncated, or wrong JSON.
    raise ClassifierError(f"corrupt classifier cache {path}: cannot read {INFO_FILE}: "
                          f"{type(e).__name__}: {e}\n{fix}") from e
  if info.get("model") != repr(model):
    raise ClassifierError(f"the classifier cached in {path} is another architecture "
                          f"({info.get('model')!r}, now {model!r}).\n{fix}")
  abstract = jax.eval_shape(model.init, jax.random.key(0), jnp.zeros((1, 28, 28, 1)))
  try:
    with ocp.StandardCheckpointer() as checkpointer:
      params = checkpointer.restore(path / CHECKPOINT_DIR, abstract)
  except Exception as e:  # pylint: disable=broad-except  # Orbax raises many kinds here.
    raise ClassifierError(f"corrupt classifier cache {path}: cannot restore {CHECKPOINT_DIR}/: "
                          f"{type(e).__name__}: {e}\n{fix}") from e
  if not accuracy >= min_accuracy:
    raise ClassifierError(f"the cached classifier in {path} has test accuracy {accuracy:.4f} < "
                          f"{min_accuracy}; metrics computed with it would be unreliable.\n{fix}")
  return Classifier(params=params, test_accuracy=accuracy)


def load_classifier(cache_dir: str | os.PathLike | None = None, data_dir: str | None = None,
                    train_if_missing: bool = True, retrain: bool = False, seed: int = 0,
                    name: str = "mnist") -> Classifier:
  """The cached classifier `name` ("mnist" or "letters"), trained and cached first if there is none.

  Args:
    cache_dir: cache root (see `cache_path`); None: $JAXGEN_CACHE or ~/.cache/jaxgen.
    data_dir: TFDS data directory for training (None: the TFDS default).
    train_if_missing: train (about 60 s on 2 CPU cores) when nothing is cached.
    retrain: train and replace the cache even if one exists.
    seed: training seed (only used when training).
    name: a `CLASSIFIERS` key.

  Returns:
    The `Classifier` (params and held-out accuracy >= the spec's
    min_accuracy: 0.97 for "mnist", 0.95 for "letters").

  Raises:
    ClassifierError: if the cache is corrupt or below min_accuracy, if
      nothing is cached and `train_if_missing` is False, or if a fresh
      training misses min_accuracy (nothing is cached then). Messages say how to fix.
  """
  spec = CLASSIFIERS[name]
  path = cache_path(cache_dir, name)
  flag = "" if name == "mnist" else f" --dataset={name}"
  if path.exists() and not retrain:
    return _restore(path, name)
  if not (train_if_missing or retrain):
    raise ClassifierError(f"no classifier cached in {path}; run `python -m launch.classifier{flag}` "
                          f"(or pass cache_dir=... / set $JAXGEN_CACHE to where one is cached).")
  print(f"Training the {name} classifier for jaxgen's metrics (once; cached in {path}) ...", flush=True)
  start = time.perf_counter()
  params, accuracy = train_classifier(data_dir=data_dir, seed=seed, name=name)
  seconds = time.perf_counter() - start
  if not accuracy >= spec.min_accuracy:
    raise ClassifierError(f"the trained classifier reached held-out accuracy {accuracy:.4f} < {spec.min_accuracy}; "
                          f"nothing was cached. Try another seed (`python -m launch.classifier{flag} --retrain "
                          "--seed=1`).")
  info = {"test_accuracy": accuracy, "dataset": spec.dataset, "held_out": spec.held_out, "steps": spec.steps,
          "seed": seed, "train_seconds": round(seconds, 1), "model": repr(spec.model)}
  save_classifier(path, params, info)
  return Classifier(params=params, test_accuracy=accuracy)
