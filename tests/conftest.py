"""Shared fixtures: a private TFDS data dir with mnist_subset prepared once per session."""

import os

import pytest


@pytest.fixture(scope="session")
def tfds_data_dir(tmp_path_factory):
  """A TFDS data dir holding a freshly prepared `mnist_subset` (also set as $TFDS_DATA_DIR)."""
  from jaxgen import data  # pylint: disable=g-import-not-at-top

  path = str(tmp_path_factory.mktemp("tensorflow_datasets"))
  data.load("mnist_subset", "train", data_dir=path)
  old = os.environ.get("TFDS_DATA_DIR")
  os.environ["TFDS_DATA_DIR"] = path
  yield path
  if old is None:
    os.environ.pop("TFDS_DATA_DIR")
  else:
    os.environ["TFDS_DATA_DIR"] = old


@pytest.fixture(scope="session")
def mnist_train(tfds_data_dir):
  from jaxgen import data  # pylint: disable=g-import-not-at-top

  return data.load("mnist_subset", "train", data_dir=tfds_data_dir)


@pytest.fixture(scope="session")
def mnist_test(tfds_data_dir):
  from jaxgen import data  # pylint: disable=g-import-not-at-top

  return data.load("mnist_subset", "test", data_dir=tfds_data_dir)
