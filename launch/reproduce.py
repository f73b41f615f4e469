r"""Reproduces a study of the literature with one command: runs, tables beside the published rows, figures.

  python -m launch.reproduce mode_collapse --workdir runs/mode_collapse
  python -m launch.reproduce mode_collapse --workdir runs/mode_collapse_quick --quick
  python -m launch.reproduce beta_vae --workdir runs/beta_vae [--quick]
  python -m launch.reproduce posterior_collapse --workdir runs/drums [--quick]
  python -m launch.reproduce latent_geometry --workdir runs/latent [--quick]
  python -m launch.reproduce letters --workdir runs/letters [--quick]
  python -m launch.reproduce diffusion --workdir runs/diffusion [--quick]

Each study is a module of `jaxgen.studies` (its docstring says what it runs);
this script is `jaxgen.studies.run(name, workdir, quick, seeds)` behind flags.
Re-running the command resumes unfinished runs and reuses finished ones; it
writes `<workdir>/report.md` and `<workdir>/figures/`. `--quick` shortens
every run so that a study takes minutes to a quarter of an hour on a 2-core
CPU: trends at best, not converged values.
"""

import pathlib
import time

from absl import app
from absl import flags

from jaxgen import studies
from launch import common

_QUICK = flags.DEFINE_bool("quick", False, "Short runs: a study in minutes on 2 CPU cores.")
_SEEDS = flags.DEFINE_integer("seeds", None, "Seeds per setting (default: the study's; mode_collapse 5, or 3 "
                              "with --quick; beta_vae 3 per kl_weight, or 1 with --quick; posterior_collapse, letters, "
                              "latent_geometry and diffusion 3).")
flags.mark_flags_as_required(["workdir"])


def main(argv):
  if len(argv) != 2 or argv[1] not in studies.STUDIES:
    raise app.UsageError(f"name one study: {sorted(studies.STUDIES)}")
  common.quiet_logging()
  workdir = pathlib.Path(common.WORKDIR.value)
  start = time.time()
  report = studies.run(argv[1], workdir, _QUICK.value, _SEEDS.value)
  print(report + f"\nreport: {workdir / 'report.md'} ({time.time() - start:.0f} s)")


if __name__ == "__main__":
  common.run(main)
