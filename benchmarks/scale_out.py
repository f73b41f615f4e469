r"""Sweep throughput on 1, 2, 4 and 8 devices: one sweep program with its seeds split over a `seed` mesh axis.

  python benchmarks/scale_out.py [--case ring_gan] [--seeds 8] [--devices 1,2,4,8] [--seconds 20]

For each device count a child process is started with that many simulated
CPU devices (`--xla_force_host_platform_device_count`; on a machine with
GPUs, pass `--real` to use its own devices instead, one count per run) and
times the engine's sweep program (`jaxgen.engine.loop._jitted_chunk` with
the mesh of `train.mesh.seed = devices`, the state placed on it by
`jaxgen.engine.mesh.place`, every call's metrics read back) as `launch.sweep`
runs it. Columns: seed-steps/s (seeds x steps per second), GFLOP per seed-step
(the step's matrix products, `benchmarks/steps.py`), GFLOP/s, and its share of
a 1024^3 fp32 matrix product timed in the same child, on one device.

Simulated devices share the host's cores: on a 2-core CPU more devices add
partitioning and per-device dispatch, not compute, so this table shows the
overhead of the sharded program, not a speed-up. Measured (2-core Intel
Xeon, jax 0.10.2, ring_gan, 8 seeds, while other trainings shared the CPU):
see the README's "Scaling out" section.
"""

import argparse
import contextlib
import json
import os
import pathlib
import subprocess
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))  # For `configs` and `benchmarks`.


def child(case: str, seeds: int, seconds: float) -> dict:
  """Runs in the child process: the sweep program of `case` on all of its devices, timed."""
  import jax  # pylint: disable=g-import-not-at-top
  import jax.numpy as jnp  # pylint: disable=g-import-not-at-top

  from benchmarks import steps  # pylint: disable=g-import-not-at-top
  from jaxgen.engine import loop  # pylint: disable=g-import-not-at-top
  from jaxgen.engine import mesh as mesh_lib  # pylint: disable=g-import-not-at-top

  config, method = steps.build(case, {"train.mesh.seed": jax.device_count()})
  mesh = mesh_lib.make(config.train.mesh, seeds, config.method.batch_size)
  keys = jax.tree.map(lambda *k: jnp.stack(k), *[loop.run_keys(s) for s in range(seeds)])
  state = jax.jit(jax.vmap(method.init))(keys["init"])
  one = jax.tree.map(lambda x: x[0], state)
  gflop = steps.matmul_flops(jax.make_jaxpr(method.step)(one, loop.run_keys(0)["steps"])) / 1e9
  k = loop.next_chunk(0, config.train)
  gemm = steps.gemm_rate()
  with jax.set_mesh(mesh) if mesh else contextlib.nullcontext():
    state, step_keys = mesh_lib.place(state, mesh, True), mesh_lib.place(keys["steps"], mesh, True)
    program = loop._jitted_chunk(method.step, loop.seed_axis(), loop.cpu_ynnpack(config.train), mesh)
    compile_s, rate = steps.timed(program, step_keys, state, k, seconds, seeds)
  return dict(devices=jax.device_count(), rate=rate, compile_s=compile_s, gflop=gflop,
              gemm=max(gemm, steps.gemm_rate()))


def main():
  parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
  parser.add_argument("--case", default="ring_gan", help="a case of benchmarks/steps.py")
  parser.add_argument("--seeds", type=int, default=8)
  parser.add_argument("--devices", default="1,2,4,8", help="comma-separated device counts")
  parser.add_argument("--seconds", type=float, default=20.0, help="timed seconds per device count")
  parser.add_argument("--real", action="store_true", help="this machine's own devices (no simulated CPUs)")
  parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
  args = parser.parse_args()
  if args.child:
    print(json.dumps(child(args.case, args.seeds, args.seconds)))
    return
  rows = []
  for n in ([None] if args.real else [int(d) for d in args.devices.split(",")]):
    env = dict(os.environ)
    if n is not None:
      env["XLA_FLAGS"] = f"{env.get('XLA_FLAGS', '')} --xla_force_host_platform_device_count={n}"
    out = subprocess.run([sys.executable, __file__, "--child", "--case", args.case, "--seeds", str(args.seeds),
                          "--seconds", str(args.seconds)], env=env, capture_output=True, text=True, check=True)
    rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(f"{rows[-1]['devices']} device(s) done", file=sys.stderr, flush=True)
  base = rows[0]["rate"]
  print(f"\n{args.case}, {args.seeds}-seed sweep, seeds over the `seed` mesh axis\n")
  print("| devices | seed-steps/s | vs first row | compile s | GFLOP/seed-step | GFLOP/s | % GEMM |")
  print("|---:|---:|---:|---:|---:|---:|---:|")
  for r in rows:
    achieved = r["rate"] * r["gflop"]
    print(f"| {r['devices']} | {r['rate']:.1f} | {r['rate'] / base:.2f}x | {r['compile_s']:.1f} | {r['gflop']:.4f} "
          f"| {achieved:.1f} | {100 * achieved / r['gemm']:.0f}% |")


if __name__ == "__main__":
  main()
