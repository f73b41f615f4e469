r"""Training-step speed of every study config, against the machine's own matrix-product rate.

  python benchmarks/steps.py [--only ring_2d,stacked_mnist_dcgan] [--seconds 20] [--seeds 5]

For each config it builds the method as `launch.train` does and times the
engine's jitted K-step program (`jaxgen.engine.loop._jitted_chunk`: state
donated, per-step keys folded from the step number, every call's metrics read
back to the host, `loop.compiler_options()`; this script calls it), with K the config's own `train.steps_per_call` (cut at its
first log/eval boundary, as training cuts it). Columns:

  steps/s       generator (or VAE) steps per second, after a warm-up call;
  compile s     lowering + XLA compilation of that program;
  GFLOP/step    FLOPs of the matrix products and convolutions in one step's
                jaxpr (2 * M * N * K per product; scans counted times their
                length; elementwise work not counted);
  GFLOP/s       the two multiplied;
  % GEMM        that rate as a share of a 1024 x 1024 fp32 matrix product
                timed in the same run (the best of the rounds before and
                after the table: this shared machine's rate drifts).
  products alone  steps/s of a program doing only the step's own matrix
                products, at their own shapes (`products_only_rate`): the
                most this machine gives the step; "step / that" near 1
                means the step's time is its products.

Then `--seeds` seeds of the 2-D and DCGAN configs as one sweep program (as
`launch.sweep` runs them: `engine.loop.seed_axis()`, vmapped on an
accelerator and a `lax.map` on a CPU) against the same seeds run one after
another through the single-run program, as a throughput ratio.

Profile notes (2-core AMD EPYC, jax 0.10.2; how `jaxgen.nn.conv` came about):
* With flax's convolutions the DCGAN step ran 1.6-1.9 steps/s called one step
  per call and 0.33 steps/s inside a 4-step scan. `jax.profiler` showed the
  time in two kinds of convolution: kernel gradients (batch-contracting
  convolutions), as fast as the forward pass when called directly but 20x
  slower inside any while loop (3x3, 7x7x128 -> 256: 75 ms direct, 1,670 ms
  per scan iteration), and input-dilated convolutions (the transposed
  convolutions and a strided convolution's input gradient: 335 ms
  forward+backward for the generator's two layers, 18 ms forward). No XLA
  flag changed either (`xla_cpu_use_onednn`, `xla_cpu_use_xnnpack`,
  `xla_cpu_experimental_ynn_fusion_type`, the thunk runtime).
* As matrix products (im2col, and col2im for the transposed convolutions)
  the same step ran ~2.6-3.1 steps/s with any K. A profile (`jax.profiler`
  trace, time per XLA op) then put a quarter of the step in one loop fusion
  of the generator's backward pass: the gradient of `cols[..., i, :]` for 25
  taps became 25 zero-padded copies of the [64, 7, 7, 25, 64] product summed,
  25 conditional reads per element (58 ms of 360), and the forward col2im's
  interior padding another 22 ms. Cutting the taps apart with `lax.split`
  (gradient: one concatenation) and placing each tap into its output phase
  (no interior padding) took the step to 3.7-3.9 steps/s, 1.12-1.14x
  PyTorch's eager step in the same hour (was 0.93-0.97x). What is left: the
  products (~75% of the step, at ~80 GFLOP/s, below the same products
  alone), the im2col windows and their concatenation (~15%), the dropout
  masks' threefry bits (~7%).
* Small steps: the 2-D GAN at batch 512 is 24 products of 512 x 128 x 128
  per step; a hand-written plain-JAX step of the same networks, loss and
  optimizer (no flax, no metrics) ran 123-141 steps/s beside jaxgen's 136:
  jaxgen adds no measurable overhead there. Each product runs at ~50 GFLOP/s.
* A one-trip `lax.scan` nested in the K-step scan halves the DCGAN step
  (see `jaxgen.methods.base.scan`), so a single critic update stays inlined.

Profile notes (2-core Intel Xeon with AVX-512, jax 0.10.2, 2026-12-03; how
`train.xla_cpu_ynnpack` came about):
* XLA:CPU hands every matrix product and reduction to YNNPACK by default
  (`__ynn_fusion` in the compiled HLO). A `jax.profiler` trace of the 2-D
  step at batch 512 (time per XLA op): each 512 x 128 x 128 product ran on
  one core, 112-135 us (~130 GFLOP/s), the thunk executor running two
  independent ones side by side; the step's chain of dependent products
  (the generator update above all) left the other core idle about a third
  of the time. Eigen's products (YNNPACK off: the option
  `xla_cpu_experimental_ynn_fusion_type` set to the empty list) use both
  cores, 48-63 us each: the step went from 288-297 to 348-388 steps/s, the
  MNIST VAE from 147-156 to 180-202 (there the reductions are the gain).
* The other way round at other shapes: the MNIST MLP GANs (batch 64, up to
  1,024 wide) ran 12-17% slower without YNNPACK, grid_best (3 x 256) 13%,
  the drum HVAE 6-12%, ring_ddpm 9%; the DCGANs within noise. So it is a
  per-config key, off for the 128-wide 2-D GAN family and the MNIST VAE,
  with each choice's measurement in its config (`--set
  train.xla_cpu_ynnpack=True` times the other one).
* Threefry's rolled loops on the CPU (4 per 2-D step, ~50 us each) run
  beside the products: unrolling them changed nothing measurable. The
  generator output layer's kernel gradient, [512, 128]^T [512, 2], takes
  120-135 us in either library for 0.26 MFLOP, also off the critical path.
* The DCGAN step (7.7-8.2 steps/s, 0.97x PyTorch's eager step on this CPU):
  its products ~60% of the time, the dropout masks' threefry bits ~14%
  (18 ms of 126: each rolled-loop round is its own loop fusion over the
  [64, 14, 14, 64] and [64, 7, 7, 128] masks, with copies between rounds),
  the im2col windows and their concatenation ~16%. Lowering threefry
  unrolled on the CPU ran the step 28% slower (5.6-5.8 steps/s); flax's
  `lax.conv_general_dilated` convolutions, now in YNNPACK, 0.28 steps/s.
"""

import argparse
import ast
import importlib
import math
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

# name -> (config module, overrides): the step of every study config.
CASES = {
    "mnist_gan": ("mnist_gan", {}),
    "mnist_wgan_gp": ("mnist_wgan_gp", {}),
    "ring_gan": ("ring_gan", {}),
    "ring_2d": ("ring_gan", {"method.batch_size": 512, "model.latent_dim": 2, "model.critic_widths": (128,) * 3}),
    "ring_unrolled": ("ring_unrolled", {}),
    "grid_best": ("grid_best", {}),
    "stacked_mnist_dcgan": ("stacked_mnist_dcgan", {}),
    "letters_dcgan": ("letters_dcgan", {}),
    "letters_acgan": ("letters_acgan", {}),
    "mnist_vae": ("mnist_vae", {}),
    "drums_hvae": ("drums_hvae", {}),
    "ring_ddpm": ("ring_ddpm", {}),
    # The sequence-decoder study's 4-bar settings ("module:arg" is the config's get_config argument).
    "drums_lstm_4": ("drum_sequences:lstm,4", {}),
    "drums_lstm_tanh_4": ("drum_sequences:lstm_tanh,4", {}),
    "drums_transformer_4": ("drum_sequences:transformer,4", {}),
}
SWEEP_CASES = ("ring_2d", "stacked_mnist_dcgan")


def build(name: str, extra: dict | None = None):
  """(config, method) of a case, built as `launch.train` builds them; `extra` overrides more keys."""
  module, overrides = CASES[name]
  module, _, arg = module.partition(":")
  config = importlib.import_module(f"configs.{module}").get_config(arg)
  config.update_from_flattened_dict({**overrides, **(extra or {})})
  real = make_real(config.data)
  sample_real = real.sample_labelled if config.method.name == "acgan" else real.sample
  return config, METHODS[config.method.name](config, sample_real)


def _shape(a) -> tuple:
  return tuple(a.aval.shape)


def matmul_flops(jaxpr) -> float:
  """FLOPs of the dot_general and conv_general_dilated equations of a (closed) jaxpr, scans times their length."""
  jaxpr = getattr(jaxpr, "jaxpr", jaxpr)
  total = 0.0
  for eqn in jaxpr.eqns:
    name = eqn.primitive.name
    if name == "dot_general":
      (contract, _), _ = eqn.params["dimension_numbers"]  # ((lhs, rhs) contracting, (lhs, rhs) batch)
      lhs = _shape(eqn.invars[0])
      total += 2.0 * math.prod(_shape(eqn.outvars[0])) * math.prod(lhs[d] for d in contract)
    elif name == "conv_general_dilated":
      rhs = _shape(eqn.invars[1])
      spec = eqn.params["dimension_numbers"].rhs_spec  # (out, in, spatial...)
      per_output = rhs[spec[1]] * math.prod(rhs[d] for d in spec[2:])
      total += 2.0 * math.prod(_shape(eqn.outvars[0])) * per_output
    for param in eqn.params.values():
      inner = [p for p in (param if isinstance(param, (tuple, list)) else [param])
               if hasattr(p, "eqns") or hasattr(getattr(p, "jaxpr", None), "eqns")]
      times = eqn.params.get("length", 1) if name == "scan" else 1
      if name == "cond":
        total += max((matmul_flops(p) for p in inner), default=0.0)
      else:
        total += times * sum(matmul_flops(p) for p in inner)
  return total


def products(jaxpr) -> list[tuple]:
  """The dot_general equations of a (closed) jaxpr as (lhs aval, rhs aval, dimension numbers), scans repeated."""
  jaxpr = getattr(jaxpr, "jaxpr", jaxpr)
  found = []
  for eqn in jaxpr.eqns:
    if eqn.primitive.name == "dot_general":
      found.append((eqn.invars[0].aval, eqn.invars[1].aval, eqn.params["dimension_numbers"]))
    for param in eqn.params.values():
      for p in (param if isinstance(param, (tuple, list)) else [param]):
        if hasattr(p, "eqns") or hasattr(getattr(p, "jaxpr", None), "eqns"):
          found += products(p) * (eqn.params.get("length", 1) if eqn.primitive.name == "scan" else 1)
  return found


def products_only_rate(jaxpr, seconds: float) -> float:
  """Steps/s of a program that does only a step's matrix products (the `products` of its jaxpr), 20 steps a call.

  Each product's left operand is scaled by (1 + 1e-30 s), s the running sum
  of the previous outputs, so that no product can be hoisted out of the
  loop or skipped: one elementwise pass over each operand and output besides
  the products. A floor for the step's time on this machine.
  """
  operands = [(jnp.ones(lhs.shape, lhs.dtype), jnp.ones(rhs.shape, rhs.dtype), dims)
              for lhs, rhs, dims in products(jaxpr)]

  def one_step(s, _):
    for lhs, rhs, dims in operands:
      s = s + jax.lax.dot_general(lhs * (1.0 + 1e-30 * s), rhs, dims).sum()
    return s, None

  program = jax.jit(lambda s: jax.lax.scan(one_step, s, None, length=20)[0])
  jax.block_until_ready(program(jnp.float32(0.0)))
  calls, t0 = 0, time.perf_counter()
  while calls < 2 or time.perf_counter() - t0 < seconds:
    calls += 1
    jax.block_until_ready(program(jnp.float32(calls)))
  return 20 * calls / (time.perf_counter() - t0)


def gemm_rate(rounds: int = 5) -> float:
  """The best GFLOP/s of a jitted 1024 x 1024 x 1024 fp32 product over `rounds` rounds of 10."""
  a = jax.random.normal(jax.random.key(0), (1024, 1024))
  dot = jax.jit(jnp.dot)
  jax.block_until_ready(dot(a, a))
  best = 0.0
  for _ in range(rounds):
    t0 = time.perf_counter()
    for _ in range(10):
      out = dot(a, a)
    jax.block_until_ready(out)
    best = max(best, 10 * 2 * 1024**3 / (time.perf_counter() - t0) / 1e9)
  return best


def timed(program, keys, state, k: int, seconds: float, sweep: int = 0) -> tuple[float, float]:
  """(compile s, seed-steps/s) of a jitted K-step program, run for about `seconds` after one warm-up call."""
  steps = jnp.arange(k, dtype=jnp.int32)
  t0 = time.perf_counter()
  compiled = program.lower(keys, state, steps).compile()
  compile_s = time.perf_counter() - t0
  state, metrics = compiled(keys, state, steps)
  jax.device_get(metrics)
  calls, t0 = 0, time.perf_counter()
  while calls < 2 or time.perf_counter() - t0 < seconds:
    calls += 1
    state, metrics = compiled(keys, state, steps + calls * k)
    jax.device_get(metrics)  # The engine reads every call's metrics (NaN check, logs).
  return compile_s, calls * k * max(sweep, 1) / (time.perf_counter() - t0)


def program(method, config, axis):
  """The engine's K-step program for `config` (`loop._jitted_chunk`, the config's compiler options)."""
  return loop._jitted_chunk(method.step, axis, loop.cpu_ynnpack(config.train))


def step_row(name: str, seconds: float, extra: dict) -> dict:
  config, method = build(name, extra)
  k = loop.next_chunk(0, config.train)
  keys = loop.run_keys(0)
  state = method.init(keys["init"])
  jaxpr = jax.make_jaxpr(method.step)(state, keys["steps"])
  compile_s, rate = timed(program(method, config, None), keys["steps"], state, k, seconds)
  return dict(name=name, k=k, rate=rate, compile_s=compile_s, gflop=matmul_flops(jaxpr) / 1e9,
              floor=products_only_rate(jaxpr, seconds / 2))


def sweep_row(name: str, seeds: int, seconds: float, extra: dict) -> dict:
  """Seed-steps/s of one sweep program over `seeds` seeds and of the seeds run one after another."""
  config, method = build(name, extra)
  k = loop.next_chunk(0, config.train)
  sequential = []
  single = program(method, config, None)
  for seed in range(seeds):
    keys = loop.run_keys(seed)
    sequential.append(timed(single, keys["steps"], method.init(keys["init"]), k, seconds / seeds)[1])
  stacked = jax.tree.map(lambda *x: jnp.stack(x), *[loop.run_keys(s) for s in range(seeds)])
  axis = loop.seed_axis()
  compile_s, rate = timed(program(method, config, axis), stacked["steps"], jax.vmap(method.init)(stacked["init"]),
                          k, seconds, seeds)
  seq_rate = seeds / sum(1 / r for r in sequential)  # Seed-steps/s of running the seeds one after another.
  return dict(name=name, axis=axis, rate=rate, seq_rate=seq_rate, compile_s=compile_s)


def main():
  parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
  parser.add_argument("--only", default="", help="comma-separated case names (default: all): " + ",".join(CASES))
  parser.add_argument("--seconds", type=float, default=20.0, help="timed seconds per measurement")
  parser.add_argument("--seeds", type=int, default=5, help="seeds of the sweep comparison (0: skip it)")
  parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                      help="override a config key in every case, e.g. train.xla_cpu_ynnpack=False (repeatable)")
  args = parser.parse_args()
  extra = {}
  for item in args.set:
    key, sep, value = item.partition("=")
    if not sep:
      parser.error(f"--set takes KEY=VALUE, got {item!r}")
    extra[key] = ast.literal_eval(value)
  names = [n for n in args.only.split(",") if n] or list(CASES)
  unknown = sorted(set(names) - set(CASES))
  if unknown:
    parser.error(f"unknown case(s) {unknown}; choose from {list(CASES)}")
  print(f"jax {jax.__version__}, Python {platform.python_version()}, {jax.devices()[0].device_kind} "
        f"({platform.machine()}, {jax.device_count()} device(s))", flush=True)
  gemm = [gemm_rate()]
  rows = [step_row(name, args.seconds, extra) for name in names]
  sweeps = [sweep_row(name, args.seeds, args.seconds, extra) for name in names if name in SWEEP_CASES and args.seeds]
  gemm.append(gemm_rate())
  peak = max(gemm)
  print(f"\nfp32 GEMM (1024^3): {gemm[0]:.0f} GFLOP/s before, {gemm[1]:.0f} after; shares below use {peak:.0f}\n")
  print("| config | K | steps/s | compile s | GFLOP/step | GFLOP/s | % GEMM | products alone, steps/s | step / that |")
  print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
  for r in rows:
    achieved = r["rate"] * r["gflop"]
    print(f"| {r['name']} | {r['k']} | {r['rate']:.2f} | {r['compile_s']:.1f} | {r['gflop']:.3f} | {achieved:.1f} "
          f"| {100 * achieved / peak:.0f}% | {r['floor']:.2f} | {r['rate'] / r['floor']:.2f} |")
  if sweeps:
    print(f"\n| {args.seeds}-seed sweep | seeds as | sweep seed-steps/s | sequential seed-steps/s | ratio | compile s |")
    print("|---|---|---:|---:|---:|---:|")
    for r in sweeps:
      print(f"| {r['name']} | {r['axis']} | {r['rate']:.2f} | {r['seq_rate']:.2f} | {r['rate'] / r['seq_rate']:.2f}x "
            f"| {r['compile_s']:.1f} |")


if __name__ == "__main__":
  main()
