r"""Per-seed training speed of a vmapped seed sweep vs the same seeds run one after another.

  python benchmarks/sweep.py [--seeds 8] [--steps 1000] [--config configs/ring_gan.py]

Trains the 2-D ring GAN (`configs/ring_gan.py`: MLP G and D, batch 128) for
`--steps` generator steps and `--seeds` seeds in two ways, through
`jaxgen.engine.loop.scan_steps` exactly as training runs it (K = 100 steps
per jitted call, state donated, metrics read back every call):

  sequential: one compiled single-seed program, run for each seed in turn;
  vmapped:    one compiled program whose state has a leading seed axis
              (`jax.vmap` of init and of the scanned step), as `launch.sweep` runs it.

Prints the compile times and seed-steps/s of both (total generator steps of
all seeds per second of wall time, after compilation) and their ratio.
"""

import argparse
import functools
import importlib
import pathlib
import platform
import sys
import time

import jax
import jax.numpy as jnp

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))  # For `configs`.

from jaxgen.data.real import make_real  # pylint: disable=wrong-import-position
from jaxgen.engine import loop  # pylint: disable=wrong-import-position
from jaxgen.methods import METHODS  # pylint: disable=wrong-import-position

K = 100


def timed_run(init, step, keys, steps: int) -> tuple[float, float]:
  """(compile seconds, training seconds for `steps` steps) of a jitted K-step scan."""
  run = jax.jit(step, donate_argnums=1)
  xs = jnp.arange(K, dtype=jnp.int32)
  state = init()
  t0 = time.perf_counter()
  compiled = run.lower(keys, state, xs).compile()
  compile_s = time.perf_counter() - t0
  state, metrics = compiled(keys, state, xs)  # Warm-up call.
  jax.block_until_ready(state)
  t0 = time.perf_counter()
  for i in range(steps // K):
    state, metrics = compiled(keys, state, xs + (i + 1) * K)
    jax.device_get(metrics)
  return compile_s, time.perf_counter() - t0


def main():
  parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
  parser.add_argument("--seeds", type=int, default=8)
  parser.add_argument("--steps", type=int, default=1000, help="generator steps per seed (multiple of 100)")
  parser.add_argument("--config", default="configs/ring_gan.py")
  args = parser.parse_args()
  config = importlib.import_module(args.config.removesuffix(".py").replace("/", ".")).get_config()
  method = METHODS[config.method.name](config, make_real(config.data).sample)
  seeds = list(range(args.seeds))
  single = functools.partial(loop.scan_steps, method.step)

  compile_seq, train_seq = 0.0, 0.0
  for seed in seeds:
    keys = loop.run_keys(seed)
    c, t = timed_run(lambda k=keys: method.init(k["init"]), single, keys["steps"], args.steps)
    compile_seq, train_seq = (compile_seq or c), train_seq + t  # One program, compiled once in real use.

  stacked = jax.tree.map(lambda *k: jnp.stack(k), *[loop.run_keys(s) for s in seeds])
  compile_vmap, train_vmap = timed_run(lambda: jax.vmap(method.init)(stacked["init"]),
                                       jax.vmap(single, in_axes=(0, 0, None)), stacked["steps"], args.steps)

  total = args.seeds * (args.steps // K) * K
  print(f"jax {jax.__version__} on {jax.devices()[0].device_kind} ({platform.machine()}); {args.config}, "
        f"batch {config.method.batch_size}, {args.seeds} seeds x {args.steps} steps, K = {K}\n")
  print("| mode | compile (s) | train (s) | seed-steps/s | per-seed steps/s |")
  print("|---|---:|---:|---:|---:|")
  for name, c, t in (("sequential", compile_seq, train_seq), ("vmapped", compile_vmap, train_vmap)):
    print(f"| {name} | {c:.1f} | {t:.1f} | {total / t:.0f} | {total / t / args.seeds:.1f} |")
  print(f"\nvmapped / sequential throughput: {train_seq / train_vmap:.2f}x")


if __name__ == "__main__":
  main()
