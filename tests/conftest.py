"""Shared fixtures: a private TFDS data dir with mnist_subset prepared once per session."""

import pytest


@pytest.fixture(scope="session")
def tfds_data_dir(tmp_path_factory):
  """A TFDS data dir holding a freshly prepared `mnist_subset` (also set as $TFDS_DATA_DIR)."""
  from jaxgen import data  # pylint: disable=g-import-not-at-top

  path = str(tmp_path_factory.mktemp("tensorflow_datasets"))
  data.load("mnist_subset", "train", data_dir=path)
  with pytest.MonkeyPatch.context() as mp:
    mp.setenv("TFDS_DATA_DIR", path)
    yield path


@pytest.fixture(scope="session")
def mnist_train(tfds_data_dir):
  from jaxgen import data  # pylint: disable=g-import-not-at-top

  return data.load("mnist_subset", "train", data_dir=tfds_data_dir)


@pytest.fixture(scope="session")
def mnist_test(tfds_data_dir):
  from jaxgen import data  # pylint: disable=g-import-not-at-top

  return data.load("mnist_subset", "test", data_dir=tfds_data_dir)


@pytest.fixture(scope="session")
def classifier_cache_dir(tmp_path_factory):
  """An empty cache root for the MNIST classifier (also set as $JAXGEN_CACHE for the session)."""
  path = str(tmp_path_factory.mktemp("jaxgen_cache"))
  with pytest.MonkeyPatch.context() as mp:
    mp.setenv("JAXGEN_CACHE", path)
    yield path


@pytest.fixture(scope="session")
def classifier(tfds_data_dir, classifier_cache_dir):
  """The metrics' MNIST classifier, trained once per session into `classifier_cache_dir` (about a minute)."""
  from jaxgen.metrics.classifier import load_classifier  # pylint: disable=g-import-not-at-top

  return load_classifier(cache_dir=classifier_cache_dir, data_dir=tfds_data_dir)


@pytest.fixture(scope="session")
def letter_classifier(tfds_data_dir, classifier_cache_dir):
  """The letter classifier of the letters metrics, trained once per session (builds `letters`; about a minute)."""
  from jaxgen.metrics.classifier import load_classifier  # pylint: disable=g-import-not-at-top

  return load_classifier(cache_dir=classifier_cache_dir, data_dir=tfds_data_dir, name="letters")
