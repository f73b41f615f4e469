"""Shared fixtures: a private TFDS data dir with mnist_subset prepared once per session; one JAX compilation
cache and one classifier cache for the whole run."""

import fcntl
import os
import shutil
import tempfile

import pytest


def pytest_configure(config):
  """Compile-time settings for the test run, made in the controller before any worker starts or imports jax.

  Most tests are dominated by compiling small programs, not by running them:
  * XLA's backend optimisation level 0 (of 3; the engine's own default is
    1, `engine.loop.compiler_options`): the study smoke runs took 36%
    (diffusion) and 14% (mode_collapse) less time than at level 1, and the
    whole suite 15% less CPU time (2-core CPU, jax 0.10.2). The two
    classifiers, the only fixtures whose time is mostly running, compile
    their training at level 1 whatever this says (`jaxgen.metrics.classifier`:
    18 s instead of 27 s for the MNIST one). Values may differ from other
    levels in the last bits; every comparison in the suite is between
    programs of the same run or against a tolerance.
  * JAX's persistent compilation cache, in a fresh folder shared by the
    workers and the subprocesses of the launch tests: the second compile of
    a program is a cache read. The folder is removed when the run ends.
  An $XLA_FLAGS or $JAX_COMPILATION_CACHE_DIR already set is left as it is.

  It also makes the classifiers' cache folder all workers share
  (`classifier_cache_dir`): a classifier is trained once per run, not once
  per worker that needs it.
  """
  if hasattr(config, "workerinput"):
    return
  classifiers = tempfile.mkdtemp(prefix="jaxgen_test_classifiers_")
  os.environ["JAXGEN_TEST_CLASSIFIERS"] = classifiers
  config.add_cleanup(lambda: shutil.rmtree(classifiers, ignore_errors=True))
  os.environ.setdefault("XLA_FLAGS", "--xla_backend_optimization_level=0")
  if "JAX_COMPILATION_CACHE_DIR" not in os.environ:
    path = tempfile.mkdtemp(prefix="jaxgen_test_jit_cache_")
    os.environ["JAX_COMPILATION_CACHE_DIR"] = path
    os.environ["JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS"] = "0.2"
    config.add_cleanup(lambda: shutil.rmtree(path, ignore_errors=True))


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
def classifier_cache_dir():
  """The classifiers' cache root, one for the whole run (also set as $JAXGEN_CACHE for the session).

  Shared by the xdist workers: `xdist_group` keeps a classifier's tests on
  one worker, but a classifier two groups need (or a pytest whose workers
  ignore the groups) would otherwise be trained once per worker, a minute
  each.
  """
  path = os.environ["JAXGEN_TEST_CLASSIFIERS"]
  with pytest.MonkeyPatch.context() as mp:
    mp.setenv("JAXGEN_CACHE", path)
    yield path


def _load_classifier_once(name: str, cache_dir: str, data_dir: str):
  """`load_classifier` under an exclusive file lock: the first worker trains and caches, the others read it."""
  from jaxgen.metrics.classifier import load_classifier  # pylint: disable=g-import-not-at-top

  with open(os.path.join(cache_dir, f".{name}.lock"), "w", encoding="utf-8") as lock:
    fcntl.flock(lock, fcntl.LOCK_EX)  # Released when the file closes.
    return load_classifier(cache_dir=cache_dir, data_dir=data_dir, name=name)


@pytest.fixture(scope="session")
def classifier(tfds_data_dir, classifier_cache_dir):
  """The metrics' MNIST classifier, trained once per run into `classifier_cache_dir` (about a minute)."""
  return _load_classifier_once("mnist", classifier_cache_dir, tfds_data_dir)


@pytest.fixture(scope="session")
def letter_classifier(tfds_data_dir, classifier_cache_dir):
  """The letter classifier of the letters metrics, trained once per run (builds `letters`; about a minute)."""
  return _load_classifier_once("letters", classifier_cache_dir, tfds_data_dir)
