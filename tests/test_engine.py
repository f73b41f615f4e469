"""The engine: chunking, determinism, resumption, and refusing bad runs without losing results."""

import json
import os
import signal
import subprocess
import sys

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jaxgen import engine
from jaxgen import plots
from jaxgen.engine import loop
from jaxgen.engine import workdir as workdir_lib
from jaxgen.methods import gan
from tests import helpers


def leaves(state):
  return [np.asarray(x) for x in jax.tree.leaves(state)]


assert_same = chex.assert_trees_all_equal  # Bit-identical: same structure, same values.


def test_next_chunk_stops_at_every_boundary():
  cfg = helpers.toy_config(steps=23).train
  cfg.steps_per_call, cfg.log_every, cfg.checkpoint_every, cfg.figure_every = 4, 6, 10, 100
  chunks, step = [], 0
  while step < cfg.steps:
    chunks.append(loop.next_chunk(step, cfg))
    step += chunks[-1]
  # At most K = 4 steps, ending at every multiple of 6 (log) and 10 (checkpoint) and at 23.
  assert chunks == [4, 2, 4, 2, 4, 2, 2, 3]


@pytest.mark.skipif(jax.default_backend() != "cpu", reason="the option is for XLA:CPU")
def test_cpu_programs_compile_at_optimisation_level_1_unless_xla_flags_say_otherwise(monkeypatch):
  monkeypatch.setenv("XLA_FLAGS", "")
  options = loop.compiler_options()
  assert options == {"xla_backend_optimization_level": 1}
  assert jax.jit(lambda x: x * 2, compiler_options=options)(3.0) == 6.0  # XLA knows it (unknown names raise).
  monkeypatch.setenv("XLA_FLAGS", "--xla_backend_optimization_level=3")
  assert loop.compiler_options() is None


@pytest.mark.skipif(jax.default_backend() != "cpu", reason="the option is for XLA:CPU")
def test_ynnpack_switch_takes_the_products_out_of_ynnpack_and_keeps_their_values(monkeypatch):
  monkeypatch.setenv("XLA_FLAGS", "")
  # A 2-D GAN layer: its product and bias + activation, as the 2-D step has 24 of them.
  layer = lambda x, w, b: jax.nn.leaky_relu(x @ w + b, 0.2)
  args = [jax.random.normal(jax.random.key(i), shape) for i, shape in enumerate([(512, 128), (128, 128), (128,)])]
  compiled = {on: jax.jit(layer, compiler_options=loop.compiler_options(ynnpack=on)).lower(*args).compile()
              for on in (True, False)}
  assert loop.compiler_options(ynnpack=False)["xla_cpu_experimental_ynn_fusion_type"] == ""
  assert "__ynn_fusion" not in compiled[False].as_text()  # Eigen's product, XLA's own loop fusion.
  np.testing.assert_allclose(compiled[False](*args), compiled[True](*args), rtol=1e-5, atol=1e-5)
  monkeypatch.setenv("XLA_FLAGS", "--xla_cpu_experimental_ynn_fusion_type=")  # $XLA_FLAGS wins.
  assert "xla_cpu_experimental_ynn_fusion_type" not in loop.compiler_options(ynnpack=False)


def test_workdir_layout(tmp_path):
  engine.train(helpers.toy_method(), helpers.toy_config(), tmp_path, progress=False)
  records = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
  assert [r["step"] for r in records] == [5, 10, 15, 20]
  assert json.loads((tmp_path / "config.json").read_text())["train"]["steps"] == 20
  assert sorted(p.name for p in (tmp_path / "checkpoints").iterdir()) == ["10", "20"]
  assert list((tmp_path / "tensorboard").glob("events.out.tfevents.*"))
  assert (tmp_path / "figures" / "samples.png").stat().st_size > 0
  assert (tmp_path / "figures" / "losses.png").stat().st_size > 0


def test_same_seed_same_numbers_other_seed_not(tmp_path):
  config = helpers.tiny_gan_config()
  images = jax.device_put(np.random.default_rng(0).integers(0, 256, (64, 28, 28, 1), np.uint8))
  method = gan.make(config, helpers.batches(images))
  a = engine.train(method, config, tmp_path / "a", progress=False)
  b = engine.train(method, config, tmp_path / "b", progress=False)
  assert_same(a, b)
  config.seed = 1
  c = engine.train(method, config, tmp_path / "c", progress=False)
  assert not np.array_equal(leaves(a)[-1], leaves(c)[-1])


def test_fusing_steps_does_not_change_the_numbers(tmp_path, mnist_train):
  """K steps per lax.scan call give bit-identical parameters to one step per call."""
  images = jax.device_put(mnist_train["image"])
  finals = []
  for k in (1, 5):
    config = helpers.tiny_gan_config()
    config.train.steps_per_call = k
    finals.append(engine.train(gan.make(config, helpers.batches(images)), config, tmp_path / f"k{k}", progress=False))
  assert_same(*finals)


class Killed(Exception):
  pass


def test_resume_after_kill_equals_uninterrupted_run(tmp_path, mnist_train, monkeypatch):
  """Killed at step 15 (checkpoint at 10), the same command resumes and ends bit-identical."""
  config = helpers.tiny_gan_config()
  config.train.figure_every = 5
  method = gan.make(config, helpers.batches(jax.device_put(mnist_train["image"])))
  uninterrupted = engine.train(method, config, tmp_path / "once", progress=False)

  calls = []
  draw = plots.samples_figure

  def draw_then_die(samples):  # Figures are drawn at steps 5, 10, 15: die at the third.
    calls.append(len(samples))
    if len(calls) == 3:
      raise Killed()
    return draw(samples)

  monkeypatch.setattr(plots, "samples_figure", draw_then_die)
  with pytest.raises(Killed):
    engine.train(method, config, tmp_path / "twice", progress=False)
  monkeypatch.undo()
  assert sorted(p.name for p in (tmp_path / "twice" / "checkpoints").iterdir()) == ["10"]
  resumed = engine.train(method, config, tmp_path / "twice", progress=False)
  assert_same(uninterrupted, resumed)
  steps = [json.loads(line)["step"] for line in (tmp_path / "twice" / "metrics.jsonl").read_text().splitlines()]
  assert steps == [5, 10, 15, 20]


def test_a_key_added_after_the_run_was_saved_is_accepted_only_when_switched_off(tmp_path):
  engine.train(helpers.toy_method(), helpers.toy_config(), tmp_path, progress=False)
  for off in (0, 0.0, False, None, ""):
    config = helpers.toy_config()
    config.train.new_switch = off  # A switch the project gained later, at its "off" value: the run is that setting.
    text = workdir_lib.check_config(tmp_path, config)
    assert json.loads(text)["train"]["new_switch"] == off  # config.json is rewritten with the new key.
  config = helpers.toy_config()
  config.train.new_switch = 0.5
  with pytest.raises(engine.ConfigMismatchError, match="new_switch: saved '<absent>', requested 0.5"):
    workdir_lib.check_config(tmp_path, config)


def test_changed_config_is_refused_and_nothing_is_lost(tmp_path):
  method, config = helpers.toy_method(), helpers.toy_config()
  engine.train(method, config, tmp_path, progress=False)
  before = sorted(str(p) for p in tmp_path.rglob("*"))
  saved = (tmp_path / "config.json").read_text()
  config.seed = 7
  with pytest.raises(engine.ConfigMismatchError, match=r"seed: saved 0, requested 7"):
    engine.train(method, config, tmp_path, progress=False)
  assert sorted(str(p) for p in tmp_path.rglob("*")) == before
  assert (tmp_path / "config.json").read_text() == saved
  # --fresh moves the old run aside and starts over.
  engine.train(method, config, tmp_path, fresh=True, progress=False)
  moved = [p for p in tmp_path.parent.iterdir() if p.name.startswith(tmp_path.name + ".old-")]
  assert len(moved) == 1 and (moved[0] / "checkpoints" / "20").exists()
  assert json.loads((tmp_path / "config.json").read_text())["seed"] == 7


def test_only_the_final_evaluations_sample_count_may_change_in_a_finished_run(tmp_path):
  """eval.num_samples is read after training alone: a finished run may be scored again on more samples; an
  eval key that training reads (what it logs every few steps) is still refused."""
  config = helpers.toy_config()
  config.eval = dict(num_samples=100, every=5)
  state = engine.train(helpers.toy_method(), config, tmp_path, progress=False)
  config.eval.num_samples = 10_000
  assert_same(engine.train(helpers.toy_method(), config, tmp_path, progress=False), state)
  config.eval.every = 10
  with pytest.raises(engine.ConfigMismatchError, match="eval.every: saved 5, requested 10"):
    engine.train(helpers.toy_method(), config, tmp_path, progress=False)


def test_more_steps_extends_a_finished_run(tmp_path):
  method = helpers.toy_method()
  engine.train(method, helpers.toy_config(steps=10), tmp_path / "a", progress=False)
  extended = engine.train(method, helpers.toy_config(steps=20), tmp_path / "a", progress=False)
  straight = engine.train(method, helpers.toy_config(steps=20), tmp_path / "b", progress=False)
  assert_same(extended, straight)


def test_nan_loss_stops_with_step_and_metric_and_keeps_checkpoint(tmp_path):
  with pytest.raises(FloatingPointError, match=r"loss = nan at step 13.*step 10"):
    engine.train(helpers.toy_method(nan_at_step=13), helpers.toy_config(), tmp_path, progress=False)
  assert sorted(p.name for p in (tmp_path / "checkpoints").iterdir()) == ["10"]
  # Before any checkpoint, and in a sweep every diverged seed is named.
  with pytest.raises(FloatingPointError, match=r"loss = nan at step 1 \(seeds 4, 7\).*No checkpoint"):
    engine.train(helpers.toy_method(nan_at_step=1), helpers.toy_config(), tmp_path / "sweep", progress=False,
                 seeds=[4, 7])


def test_a_busy_workdir_is_refused_and_its_run_finishes_as_if_alone(tmp_path, monkeypatch):
  """While a run trains, a second run (or --fresh) in its workdir is refused and touches nothing."""
  method, config = helpers.toy_method(), helpers.toy_config()
  alone = engine.train(method, config, tmp_path / "alone", progress=False)
  draw = plots.samples_figure
  attempts = []

  def second_run_meanwhile(samples):  # Called at the first figure step (5) of the run below.
    if not attempts:
      before = {p: p.read_bytes() for p in (tmp_path / "busy").rglob("*") if p.is_file()}
      for fresh in (False, True):
        with pytest.raises(engine.WorkdirInUseError, match=f"in use by pid {os.getpid()} on "):
          engine.train(method, config, tmp_path / "busy", fresh=fresh, progress=False)
        attempts.append(fresh)
      assert {p: p.read_bytes() for p in (tmp_path / "busy").rglob("*") if p.is_file()} == before
      assert [p.name for p in tmp_path.iterdir() if ".old-" in p.name] == []  # --fresh moved nothing.
    return draw(samples)

  monkeypatch.setattr(plots, "samples_figure", second_run_meanwhile)
  busy = engine.train(method, config, tmp_path / "busy", progress=False)
  assert attempts == [False, True]
  assert_same(alone, busy)


def test_a_killed_process_leaves_no_stale_lock(tmp_path):
  code = ("import os, pathlib, signal, sys; from jaxgen.engine import workdir\n"
          "with workdir.lock(pathlib.Path(sys.argv[1])): os.kill(os.getpid(), signal.SIGKILL)")
  result = subprocess.run([sys.executable, "-c", code, str(tmp_path)], env=dict(os.environ, PYTHONPATH=os.getcwd()),
                          check=False, capture_output=True)
  assert result.returncode == -signal.SIGKILL, result.stderr.decode()[-2000:]
  assert (tmp_path / "lock").read_text().startswith("pid ")  # It held the lock when it died,
  with workdir_lib.lock(tmp_path):  # and the kernel released it.
    pass


def test_resume_recovers_from_writes_cut_short(tmp_path):
  """A crash in the middle of writing metrics.jsonl, a TensorBoard event file or a checkpoint does not stop the
  resume."""
  method = helpers.toy_method()
  straight = engine.train(method, helpers.toy_config(steps=20), tmp_path / "straight", progress=False)
  engine.train(method, helpers.toy_config(steps=10), tmp_path / "cut", progress=False)
  with (tmp_path / "cut" / "metrics.jsonl").open("a") as f:
    f.write('{"step": 15, "loss": 0.0')  # The last line, cut short.
  events = next((tmp_path / "cut" / "tensorboard").glob("events.out.tfevents.*"))
  events.write_bytes(events.read_bytes()[:-7])
  leftover = tmp_path / "cut" / "checkpoints" / "20.orbax-checkpoint-tmp-1764547200"  # A save cut short.
  leftover.mkdir()
  (leftover / "_CHECKPOINT_METADATA").write_bytes(b"{\"item_han")
  resumed = engine.train(method, helpers.toy_config(steps=20), tmp_path / "cut", progress=False)
  assert_same(straight, resumed)
  assert [r["step"] for r in engine.workdir.read_metrics(tmp_path / "cut")] == [5, 10, 15, 20]
  # config.json was rewritten (atomically) for the new train.steps; a resume of the same config leaves it alone.
  unchanged = (tmp_path / "cut" / "config.json").stat()
  engine.train(method, helpers.toy_config(steps=20), tmp_path / "cut", progress=False)
  assert (tmp_path / "cut" / "config.json").stat().st_mtime_ns == unchanged.st_mtime_ns


def test_unreadable_workdir_files_are_clear_errors_and_are_kept(tmp_path):
  method, config = helpers.toy_method(), helpers.toy_config()
  engine.train(method, config, tmp_path, progress=False)
  metrics = tmp_path / "metrics.jsonl"
  lines = metrics.read_text().splitlines()
  metrics.write_text("\n".join([lines[0], "{oops", *lines[1:]]) + "\n")  # Not a cut-short last line.
  with pytest.raises(engine.CorruptWorkdirError, match=r"metrics.jsonl, line 2"):
    engine.workdir.read_metrics(tmp_path)
  (tmp_path / "config.json").write_text('{"seed": 0, "tra')
  with pytest.raises(engine.CorruptWorkdirError, match=r"config.json is not valid JSON"):
    engine.train(method, config, tmp_path, progress=False)
  assert (tmp_path / "config.json").read_text() == '{"seed": 0, "tra'


def test_corrupt_checkpoint_is_a_clear_error_and_is_kept(tmp_path):
  method, config = helpers.toy_method(), helpers.toy_config()
  engine.train(method, config, tmp_path, progress=False)
  config.train.steps = 30
  for f in (tmp_path / "checkpoints" / "20").rglob("*"):
    if f.is_file():
      f.write_bytes(b"garbage")
  with pytest.raises(engine.CorruptCheckpointError, match=r"checkpoints/20"):
    engine.train(method, config, tmp_path, progress=False)
  assert (tmp_path / "checkpoints" / "20").exists() and (tmp_path / "checkpoints" / "10").exists()


def test_nonpositive_train_counts_are_refused(tmp_path):
  config = helpers.toy_config()
  config.train.steps_per_call = 0
  with pytest.raises(ValueError, match="steps_per_call must be >= 1"):
    engine.train(helpers.toy_method(), config, tmp_path, progress=False)


def _ring_config(steps=20):
  c = helpers.tiny_ring_config()
  c.train.steps = steps
  return c


def test_seed_i_of_a_vmapped_sweep_equals_the_single_run_with_seed_i(tmp_path):
  from jaxgen.data import mixtures  # pylint: disable=g-import-not-at-top
  from jaxgen.metrics import modes  # pylint: disable=g-import-not-at-top
  ring = mixtures.ring()
  config = _ring_config()
  evaluate = lambda x: modes.mixture_coverage(x, ring.means, ring.std)
  method = gan.make(config, helpers.ring_sampler())
  seeds = [0, 3]
  sweep = engine.train(method, config, tmp_path / "sweep", progress=False, evaluate=evaluate, seeds=seeds)
  sweep_records = engine.workdir.read_metrics(tmp_path / "sweep")
  for i, seed in enumerate(seeds):
    config.seed = seed
    single = engine.train(method, config, tmp_path / f"seed{seed}", progress=False, evaluate=evaluate)
    chex.assert_trees_all_close(jax.tree.map(lambda x: x[i], sweep), single, rtol=1e-5, atol=1e-6)  # pylint: disable=cell-var-from-loop
    single_records = engine.workdir.read_metrics(tmp_path / f"seed{seed}")
    assert [r["step"] for r in single_records] == [r["step"] for r in sweep_records]
    for a, b in zip(sweep_records, single_records):
      np.testing.assert_allclose([a[k][i] for k in sorted(b) if k != "step"],
                                 [b[k] for k in sorted(b) if k != "step"], rtol=1e-4, atol=1e-5)
  first_kernel = jax.tree.leaves(sweep.generator)[0]
  assert not np.allclose(first_kernel[0], first_kernel[1])  # The seeds really differ.


def test_an_extended_sweep_resumes_to_the_uninterrupted_result(tmp_path):
  method = helpers.toy_method()
  once = engine.train(method, helpers.toy_config(20), tmp_path / "once", progress=False, seeds=[0, 1])
  engine.train(method, helpers.toy_config(10), tmp_path / "twice", progress=False, seeds=[0, 1])
  twice = engine.train(method, helpers.toy_config(20), tmp_path / "twice", progress=False, seeds=[0, 1])
  assert_same(once, twice)
  assert not np.array_equal(twice["w"][0], twice["w"][1])
  with pytest.raises(engine.ConfigMismatchError, match="seeds"):
    engine.train(method, helpers.toy_config(20), tmp_path / "twice", progress=False, seeds=[0, 2])


def test_vmapped_and_mapped_seeds_run_the_same_step():
  # A sweep maps its seeds on a CPU and vmaps them on an accelerator: both must be the per-seed step.
  step = lambda key, state, steps: (state * 2.0 + jax.random.normal(key, state.shape) + steps.sum(), steps)
  keys = jax.random.split(jax.random.key(0), 3)
  states = jnp.arange(6.0).reshape(3, 2)
  steps = jnp.arange(4)
  one_by_one = jnp.stack([step(k, s, steps)[0] for k, s in zip(keys, states)])
  for axis in ("vmap", "map"):
    out, shared = loop.over_seeds(step, axis)(keys, states, steps)
    np.testing.assert_allclose(out, one_by_one, rtol=1e-6)
    assert shared.shape == (3, 4)
