r"""Trains several seeds of a config in one compiled program, optionally over a grid of one setting.

  python -m launch.sweep --config configs/ring_unrolled.py --seeds 8 --workdir runs/ring_unrolled
  python -m launch.sweep --config configs/ring_unrolled.py --seeds 8 --workdir runs/ring_unroll_grid \
      --grid method.unroll_steps=0,1,5,10

Seeds `config.seed + 0 .. seeds-1` are trained together: the state gets a
leading seed axis and `init` and the scanned `step` are `jax.vmap`ped over it
(`jaxgen.engine.train(..., seeds=...)`); seed s gives the numbers of
`launch.train` with `--config.seed=s`. A `--grid key=v1,v2,...` runs one such
sweep per value, one after the other (a value may change the compiled program,
e.g. the unrolling depth), each in `<workdir>/<key leaf>=<value>/`.

Each sweep directory is a workdir as for `launch.train` (re-running resumes;
metrics.jsonl values are lists over seeds) plus eval.json with every seed's
final metrics. `<workdir>/summary.md` and `summary.csv` give the mean and the
standard error over seeds of every final metric, one row per setting.
"""

import copy
import functools
import pathlib

from absl import app
from absl import flags
from ml_collections import config_flags

from jaxgen import experiment
from jaxgen.engine.mesh import is_primary
from jaxgen.studies.common import summary_tables
from launch import common

flags.mark_flags_as_required(["config", "workdir"])

_SEEDS = flags.DEFINE_integer("seeds", 5, "Number of seeds, trained together with jax.vmap.")
_GRID = flags.DEFINE_string("grid", "", "One setting to sweep, as key=v1,v2,... (e.g. method.unroll_steps=0,5).")


def grid_configs(config, grid: str) -> list[tuple[str, object]]:
  """[(setting name, config)] for `--grid key=v1,v2`: values are parsed with the type of the key's default.

  Raises:
    ValueError: a malformed grid or an unknown key.
  """
  if not grid:
    return [("", config)]
  key, _, values = grid.partition("=")
  if not values:
    raise ValueError(f"--grid must look like key=v1,v2,...; got {grid!r}")
  try:
    default = functools.reduce(lambda c, k: c[k], key.split("."), config)
  except (KeyError, AttributeError, TypeError) as e:
    raise ValueError(f"--grid: unknown config key {key!r}") from e
  parse = (lambda v: v.lower() in ("1", "true")) if isinstance(default, bool) else type(default)
  out = []
  for value in values.split(","):
    c = copy.deepcopy(config)
    c.update_from_flattened_dict({key: parse(value)})
    out.append((f"{key.rsplit('.', 1)[-1]}={value}", c))
  return out


def main(argv):
  if len(argv) > 1:
    raise app.UsageError(f"unexpected arguments: {argv[1:]}")
  common.quiet_logging()
  workdir = pathlib.Path(common.WORKDIR.value)
  config_name = pathlib.Path(config_flags.get_config_filename(flags.FLAGS["config"])).stem
  rows = []
  for name, config in grid_configs(common.CONFIG.value, _GRID.value):
    run_dir = workdir / name if name else workdir
    seeds = [config.seed + i for i in range(_SEEDS.value)]
    print(f"{config_name} {name} seeds {seeds} -> {run_dir}")
    result, *_ = experiment.train_and_evaluate(config, run_dir, seeds=seeds, fresh=common.FRESH.value)
    rows.append((name or config_name, result))
  markdown, csv = summary_tables(rows)
  if is_primary():  # Of several processes (multi-host), process 0 writes.
    (workdir / "summary.md").write_text(markdown)
    (workdir / "summary.csv").write_text(csv)
  print(markdown + f"summary: {workdir / 'summary.md'}")


if __name__ == "__main__":
  common.run(main)
