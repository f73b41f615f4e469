r"""Generator steps/s of the MNIST MLP WGAN-GP step for K steps fused per jitted call.

  python benchmarks/throughput.py [--steps 200] [--rounds 3] [--ks 1,10,100]

Times `jaxgen.engine.loop.scan_steps` as training runs it (jit with the state
donated, per-step keys folded from the step number, every call's metrics read
back to the host) on `configs/mnist_wgan_gp.py`: batch 64, n_critic = 5
critic updates per generator step, data on the device. For each K it reports
the compile time (lower + compile, s) and the median over `--rounds`
interleaved rounds of the steady-state generator steps/s over `--steps`
steps. A second table does the same with 8x narrower networks, where a step
is short enough for the per-call overhead that fusing removes to show.
Prints Markdown tables.
"""

import argparse
import pathlib
import platform
import statistics
import sys
import time

import jax
import jax.numpy as jnp

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))  # For `configs`.

from configs import mnist_wgan_gp  # pylint: disable=g-import-not-at-top,wrong-import-position
from jaxgen.data.real import make_real  # pylint: disable=wrong-import-position
from jaxgen.engine import loop  # pylint: disable=wrong-import-position
from jaxgen.methods import METHODS  # pylint: disable=wrong-import-position


def compile_k(method, k: int):
  """(compiled K-step function, seconds to lower and compile it)."""
  run = jax.jit(lambda s, xs: loop.scan_steps(method.step, jax.random.key(1), s, xs), donate_argnums=0)
  xs = jnp.arange(k, dtype=jnp.int32)
  t0 = time.perf_counter()
  compiled = run.lower(jax.eval_shape(method.init, jax.random.key(0)), xs).compile()
  return compiled, time.perf_counter() - t0


def steps_per_second(compiled, method, k: int, steps: int) -> float:
  """Generator steps/s over about `steps` steps, after one warm-up call."""
  xs = jnp.arange(k, dtype=jnp.int32)
  state, _ = compiled(method.init(jax.random.key(0)), xs)
  jax.block_until_ready(state)
  calls = max(1, steps // k)
  t0 = time.perf_counter()
  for i in range(calls):
    state, metrics = compiled(state, xs + (i + 1) * k)
    jax.device_get(metrics)  # The engine reads every call's metrics (NaN check, logs).
  return calls * k / (time.perf_counter() - t0)


def table(title: str, method, ks: list[int], steps: int, rounds: int) -> None:
  compiled = {k: compile_k(method, k) for k in ks}
  rates = {k: [] for k in ks}
  for _ in range(rounds):
    for k in ks:
      rates[k].append(steps_per_second(compiled[k][0], method, k, steps))
  print(f"\n{title}\n")
  print("| steps per call (K) | compile (s) | generator steps/s (median) | ms / step | vs K=1 |")
  print("|---:|---:|---:|---:|---:|")
  base = statistics.median(rates[ks[0]])
  for k in ks:
    rate = statistics.median(rates[k])
    print(f"| {k} | {compiled[k][1]:.2f} | {rate:.1f} | {1000 / rate:.1f} | {rate / base:.2f}x |", flush=True)


def main():
  parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
  parser.add_argument("--steps", type=int, default=200, help="generator steps timed per K and round")
  parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; the median is reported")
  parser.add_argument("--ks", default="1,10,100", help="comma-separated steps fused per call")
  args = parser.parse_args()
  ks = [int(x) for x in args.ks.split(",")]
  config = mnist_wgan_gp.get_config()
  sample_real = make_real(config.data).sample
  print(f"jax {jax.__version__} on {jax.devices()[0].device_kind} ({platform.machine()}, "
        f"{jax.device_count()} device); batch {config.method.batch_size}, n_critic {config.method.n_critic}")
  table(f"WGAN-GP, MNIST MLP G {tuple(config.model.generator_widths)}, C {tuple(config.model.critic_widths)}",
        METHODS[config.method.name](config, sample_real), ks, args.steps, args.rounds)
  config.model.generator_widths = [w // 8 for w in config.model.generator_widths]
  config.model.critic_widths = [w // 8 for w in config.model.critic_widths]
  table(f"Same step, 8x narrower: G {tuple(config.model.generator_widths)}, C {tuple(config.model.critic_widths)}",
        METHODS[config.method.name](config, sample_real), ks, args.steps * 5, args.rounds)


if __name__ == "__main__":
  main()
