"""The device mesh of a run: a sweep's seeds and each step's batch split over the devices (`jax.sharding`).

A run on more than one device (several GPUs, a TPU slice, or simulated CPU
devices) trains on a 2-D mesh with axes `seed` and `data`
(`config.train.mesh`, e.g. `{"seed": 4, "data": 2}`):

* `seed`: a sweep's state (leading seed axis) is split over it; each device
  runs the single-run step over its own seeds (`jax.shard_map` manual over
  `seed`): with `data` = 1 a seed's numbers are bit-equal to its one-device
  run.
* `data`: each step's real batch is split over it (`jaxgen.data.shard_batch`,
  applied by every sampler of `jaxgen.data.make_real`) and the parameters
  are replicated; the compiler partitions the step and reduces the gradients
  (and BatchNorm's batch statistics) over `data`, so a step computes what
  it computes on one device, up to floating-point reassociation.

One device (the usual CPU) gives no mesh at all: the engine's programs are
then exactly those of a single device.

Several processes (one per host, `jax.distributed.initialize`, called by the
launch scripts) share one global mesh: every process runs the same program
on its own devices' shards, Orbax saves and restores the shards of each,
and only process 0 writes the workdir's files (`is_primary`).
"""

import math

import jax
import ml_collections
import numpy as np
from jax.experimental import multihost_utils
from jax.sharding import NamedSharding, PartitionSpec

from jaxgen.data.device import DATA_AXIS

SEED_AXIS = "seed"


def make(spec: ml_collections.ConfigDict | dict | None, num_seeds: int | None,
         batch_size: int | None = None) -> jax.sharding.Mesh | None:
  """The (seed, data) mesh over the devices (`jax.devices()`, every process's), or None for one device.

  Args:
    spec: `config.train.mesh`: {"seed": int, "data": int}; 0 (or absent)
      = automatic: `seed` = gcd(devices, seeds) for a sweep (1 for a single
      run), `data` = gcd(the devices left, batch size). Given one size, the
      other is the rest of the devices. An automatic mesh may leave devices
      idle (e.g. batch 100 on 8 GPUs: data = 4), one process only.
    num_seeds: seeds of a sweep, None for a single run.
    batch_size: the config's `method.batch_size`, checked against `data`.

  Raises:
    ValueError: seed x data is not the device count (or, automatic, with
      several processes), a sweep's seeds are not divisible by `seed` (or a
      single run asks for seed > 1), or the batch is not divisible by `data`.
  """
  spec = dict(spec or {})
  devices = jax.device_count()
  seed, data = int(spec.get(SEED_AXIS, 0)), int(spec.get(DATA_AXIS, 0))
  automatic = not seed and not data
  if automatic:
    seed = math.gcd(devices, num_seeds) if num_seeds else 1
    data = math.gcd(devices // seed, batch_size) if batch_size else devices // seed
  if not seed:
    seed = max(devices // data, 1)
  if not data:
    data = max(devices // seed, 1)
  errors = []
  if seed * data != devices and not (automatic and jax.process_count() == 1):
    errors.append(f"seed x data = {seed} x {data} must be the {devices} devices")
  if num_seeds is None and seed != 1:
    errors.append(f"a single run has one seed: set seed = 1, got {seed}")
  if num_seeds and num_seeds % seed:
    errors.append(f"the sweep's {num_seeds} seeds must be divisible by seed = {seed}")
  if batch_size and batch_size % data:
    errors.append(f"method.batch_size = {batch_size} must be divisible by data = {data}")
  if errors:
    raise ValueError(f"config.train.mesh {spec}: " + "; ".join(errors))
  if seed * data == 1:
    return None
  used = jax.devices()[:seed * data] if seed * data < devices else None  # None: make_mesh orders them all.
  return jax.make_mesh((seed, data), (SEED_AXIS, DATA_AXIS), axis_types=(jax.sharding.AxisType.Auto,) * 2,
                       devices=used)


def place(tree, mesh: jax.sharding.Mesh | None, sweep: bool):
  """`tree` on the mesh: split over `seed` along its leading axis for a sweep, else replicated.

  With several processes (`jax.distributed`) every process must pass the same
  values (the engine computes them from the seeds): each one keeps the shards
  of its own devices (`jax.make_array_from_callback`).
  """
  if mesh is None:
    return tree
  sharding = NamedSharding(mesh, PartitionSpec(SEED_AXIS) if sweep else PartitionSpec())

  def put(x):
    if jax.dtypes.issubdtype(x.dtype, jax.dtypes.prng_key):
      return jax.random.wrap_key_data(put(jax.random.key_data(x)), impl=jax.random.key_impl(x))
    if jax.process_count() == 1:
      return jax.device_put(x, sharding)
    host = np.asarray(x)
    return jax.make_array_from_callback(host.shape, sharding, lambda index: host[index])

  return jax.tree.map(put, tree)


def per_seed_shards(f, mesh: jax.sharding.Mesh | None):
  """f(a, b, c) over a sweep (a, b: leading seed axis; c shared), each device applying f to its own seeds.

  `jax.shard_map` manual over `seed`; over `data` too when it has size 1
  (then each device runs exactly the one-device program: bit-equal
  results), else `data` stays the compiler's, so that the batch split of
  `jaxgen.data.shard_batch` applies inside f (the automatic partitioning
  changes the last bits).
  """
  if mesh is None:
    return f
  seeds, shared = PartitionSpec(SEED_AXIS), PartitionSpec()
  manual = {SEED_AXIS} if mesh.shape[DATA_AXIS] > 1 else {SEED_AXIS, DATA_AXIS}
  return jax.shard_map(f, mesh=mesh, in_specs=(seeds, seeds, shared), out_specs=seeds, axis_names=manual)


def is_primary() -> bool:
  """Whether this process writes the workdir's files: process 0 (always, with one process)."""
  return jax.process_index() == 0


def to_host(tree):
  """Every process's shards of `tree` gathered into numpy arrays on each process (`jax.device_get` when one
  process holds them all)."""
  if jax.process_count() == 1:
    return jax.device_get(tree)
  return multihost_utils.process_allgather(tree, tiled=True)


def sync(name: str) -> None:
  """Waits until every process reaches `name` (nothing with one process)."""
  if jax.process_count() > 1:
    multihost_utils.sync_global_devices(name)
