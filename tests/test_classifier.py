"""The metrics' MNIST classifier (train, cache, load) and the feature-space metrics."""

import json
import pathlib
import shutil

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jaxgen import data
from jaxgen.metrics import classifier as classifier_lib
from jaxgen.metrics.features import classifier_frechet_distance, feature_metrics, precision_recall
from jaxgen.nn.classifier import MNISTClassifier


# One xdist worker trains this session fixture; the other worker runs the rest meanwhile.
pytestmark = pytest.mark.xdist_group("mnist_classifier")


def test_accuracy_on_the_test_split(classifier, mnist_test):
  x = data.to_model_range(mnist_test["image"])
  predicted = classifier_lib.channel_labels(classifier.params, x)
  accuracy = float(np.mean(np.asarray(predicted)[:, 0] == mnist_test["label"]))
  assert accuracy >= classifier_lib.MIN_ACCURACY
  assert classifier.test_accuracy == pytest.approx(accuracy, abs=1e-6)  # info.json tells the truth.


def test_features_logits_and_per_channel_helpers_agree(classifier, mnist_test):
  params = classifier.params
  digits = data.to_model_range(mnist_test["image"][:30])  # [30, 28, 28, 1]
  logits, state = MNISTClassifier().apply(params, digits, mutable="intermediates")
  features = classifier_lib.classifier_features(params, digits)
  np.testing.assert_allclose(state["intermediates"]["features"][0], features, rtol=1e-5, atol=1e-5)
  np.testing.assert_allclose(classifier_lib.classifier_logits(params, digits), logits, rtol=1e-5, atol=1e-5)
  stacked = jnp.concatenate([digits[:10], digits[10:20], digits[20:]], axis=-1)  # [10, 28, 28, 3]
  want_labels = jnp.argmax(logits, axis=1).reshape(3, 10).T
  want_features = jnp.concatenate([features[:10], features[10:20], features[20:]], axis=1)
  for batch_size in (None, 3, 1000):  # 3: four chunks, the last one padded.
    np.testing.assert_array_equal(classifier_lib.channel_labels(params, stacked, batch_size=batch_size),
                                  want_labels)
    np.testing.assert_allclose(classifier_lib.channel_features(params, stacked, batch_size=batch_size),
                               want_features, rtol=1e-5, atol=1e-5)


def test_second_load_reads_the_cache_without_training(classifier, classifier_cache_dir, monkeypatch, capsys):
  def fail(*args, **kwargs):
    raise AssertionError("retrained although a cache exists")

  monkeypatch.setattr(classifier_lib, "train_classifier", fail)
  again = classifier_lib.load_classifier(cache_dir=classifier_cache_dir)
  chex.assert_trees_all_equal(jax.device_get(again.params), jax.device_get(classifier.params))
  assert again.test_accuracy == classifier.test_accuracy
  assert "Training" not in capsys.readouterr().out
  info = json.loads((classifier_lib.cache_path(classifier_cache_dir) / "info.json").read_text())
  assert info["dataset"] == "mnist_subset" and info["test_accuracy"] == classifier.test_accuracy


def _copy_cache(classifier_cache_dir, tmp_path) -> pathlib.Path:
  shutil.copytree(classifier_lib.cache_path(classifier_cache_dir), classifier_lib.cache_path(tmp_path))
  return classifier_lib.cache_path(tmp_path)


@pytest.mark.parametrize("damage", ["truncated_info", "missing_checkpoint", "garbled_checkpoint",
                                    "low_accuracy", "other_architecture"])
def test_a_bad_cache_raises_an_error_that_says_how_to_fix_it(classifier, classifier_cache_dir, tmp_path,
                                                             monkeypatch, damage):
  del classifier  # Only needed to fill the cache.
  path = _copy_cache(classifier_cache_dir, tmp_path)
  info = path / "info.json"
  if damage == "truncated_info":
    info.write_text(info.read_text()[:10])
  elif damage == "missing_checkpoint":
    shutil.rmtree(path / "checkpoint")
  elif damage == "garbled_checkpoint":
    for f in (path / "checkpoint").rglob("*"):
      if f.is_file() and f.stat().st_size > 0:
        f.write_bytes(b"\x00garbage" * 10)
  elif damage == "low_accuracy":
    info.write_text(json.dumps({**json.loads(info.read_text()), "test_accuracy": 0.5}))
  else:
    info.write_text(json.dumps({**json.loads(info.read_text()), "model": "MNISTClassifier(channels=(8, 8))"}))
  monkeypatch.setattr(classifier_lib, "train_classifier", lambda *a, **k: pytest.fail("must not retrain"))
  with pytest.raises(classifier_lib.ClassifierError, match=r"(?s)Delete .*mnist_classifier.*--retrain"):
    classifier_lib.load_classifier(cache_dir=tmp_path)


def test_an_interrupted_save_leaves_no_cache(classifier, tmp_path):
  """The cache appears only complete: a failure after the checkpoint is written leaves nothing to load."""
  path = classifier_lib.cache_path(tmp_path)
  with pytest.raises(TypeError):  # info.json, written after the checkpoint, cannot be serialised.
    classifier_lib.save_classifier(path, classifier.params, {"test_accuracy": object()})
  assert not path.exists() and list(path.parent.iterdir()) == []
  (path.parent / ".mnist_classifier.tmp-killed").mkdir()  # What a SIGKILL would leave behind.
  with pytest.raises(classifier_lib.ClassifierError, match="no classifier cached"):
    classifier_lib.load_classifier(cache_dir=tmp_path, train_if_missing=False)


def test_saving_over_a_cache_replaces_it(classifier, classifier_cache_dir, tmp_path):
  path = _copy_cache(classifier_cache_dir, tmp_path)
  info = json.loads((path / "info.json").read_text())
  classifier_lib.save_classifier(path, classifier.params, {**info, "seed": 123})
  assert json.loads((path / "info.json").read_text())["seed"] == 123
  assert sorted(p.name for p in tmp_path.iterdir()) == ["mnist_classifier"]  # No leftovers.
  chex.assert_trees_all_equal(jax.device_get(classifier_lib.load_classifier(tmp_path).params),
                              jax.device_get(classifier.params))


def test_precision_recall_identical_and_disjoint_sets():
  x = jax.random.normal(jax.random.key(0), (300, 5))
  same = precision_recall(x, x, k=3)
  assert float(same["precision"]) == 1.0 and float(same["recall"]) == 1.0
  far = precision_recall(x, x + 100.0, k=3)
  assert float(far["precision"]) == 0.0 and float(far["recall"]) == 0.0


@pytest.mark.parametrize("chunk", [1, 3, 1000])  # 3: the last block is padded.
def test_precision_recall_hand_computed_1d(chunk):
  real = jnp.array([0.0, 1.0, 3.0, 7.0])[:, None]
  fake = jnp.array([0.5, 2.2, 12.0, 13.5])[:, None]
  # k = 1. Real radii (nearest other real point): 0->1, 1->1, 3->2, 7->4, so the real
  # manifold is [-1, 1] u [0, 2] u [1, 5] u [3, 11] = [-1, 11]: 0.5 and 2.2 are in,
  # 12 and 13.5 out -> precision 2/4. Fake radii: 0.5->1.7, 2.2->1.7, 12->1.5, 13.5->1.5;
  # real 0, 1 (near 0.5) and 3 (0.8 from 2.2) are in, 7 (4.8 from 2.2, 5 from 12) is out
  # -> recall 3/4.
  out = precision_recall(real, fake, k=1, chunk=chunk)
  assert float(out["precision"]) == 0.5 and float(out["recall"]) == 0.75
  # k = 2. Real radii: 0->3, 1->2, 3->3, 7->6 (neighbours 3 at 4, then 1 at 6): manifold
  # [-3, 13], so only 13.5 is out -> precision 3/4. Fake radii: 0.5->11.5, 2.2->9.8,
  # 12->9.8, 13.5->11.3; 7 is 4.8 from 2.2 -> every real point is in -> recall 1.
  out = precision_recall(real, fake, k=2, chunk=chunk)
  assert float(out["precision"]) == 0.75 and float(out["recall"]) == 1.0


def test_precision_recall_rejects_bad_k_and_shapes():
  x = jnp.zeros((4, 2))
  with pytest.raises(ValueError, match="k=4"):
    precision_recall(x, x, k=4)
  with pytest.raises(ValueError, match="features"):
    precision_recall(x, jnp.zeros((4, 3)))


def test_feature_metrics_separate_real_digits_from_noise(classifier, mnist_train, mnist_test):
  params = classifier.params
  real = data.to_model_range(mnist_train["image"][:1000])
  held_out = data.to_model_range(mnist_test["image"])
  noise = jax.random.uniform(jax.random.key(0), held_out.shape, minval=-1.0, maxval=1.0)
  fd_real = classifier_frechet_distance(params, real, held_out)
  fd_noise = classifier_frechet_distance(params, real, noise)
  assert 0.0 <= fd_real < 0.1 * fd_noise
  good = feature_metrics(params, held_out, real)
  bad = feature_metrics(params, noise, real)
  assert good["frechet_distance"] == pytest.approx(fd_real, rel=1e-6)
  assert good["precision"] > 0.6 and good["recall"] > 0.6
  assert bad["precision"] < 0.1 and bad["recall"] < 0.1


def test_reshape_max_pool_equals_flax_max_pool():
  from jaxgen.nn.classifier import _max_pool_2x2  # pylint: disable=g-import-not-at-top
  import flax.linen as nn  # pylint: disable=g-import-not-at-top

  h = jax.random.normal(jax.random.key(0), (2, 14, 14, 3))
  np.testing.assert_array_equal(_max_pool_2x2(h), nn.max_pool(h, (2, 2), strides=(2, 2)))
