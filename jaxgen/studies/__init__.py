"""The studies of jaxgen, each a table of settings (a config plus overrides) trained as sweeps, and a report.

  >>> import jaxgen.studies
  >>> report = jaxgen.studies.run("mode_collapse", "runs/mode_collapse_quick", quick=True)  # doctest: +SKIP

Each writes `<workdir>/report.md` (tables of mean ± standard error over seeds,
published rows beside ours where the literature has them) and
`<workdir>/figures/`; every setting is a resumable sweep workdir below it,
reused when the study is run again. `python -m launch.reproduce <name>` is
this behind flags.
"""

import pathlib

from jaxgen.studies import (beta_vae, diffusion, latent_geometry, letters, mode_collapse, posterior_collapse,
                            sequence_decoders)

# Study name -> module with run(workdir, quick, num_seeds) -> report text.
STUDIES = {"mode_collapse": mode_collapse, "letters": letters, "beta_vae": beta_vae,
           "posterior_collapse": posterior_collapse, "latent_geometry": latent_geometry, "diffusion": diffusion,
           "sequence_decoders": sequence_decoders}


def run(name: str, workdir: str | pathlib.Path, quick: bool = False, seeds: int | None = None,
        smoke: bool = False) -> str:
  """Runs (or resumes, or reuses) study `name` in `workdir`; returns report.md's text.

  Args:
    name: a key of STUDIES.
    workdir: the study's directory.
    quick: short runs, minutes on a 2-core CPU: trends at best, not converged values.
    seeds: seeds per setting; None for the study's default.
    smoke: two settings of each of the study's tables (`common.smoke_subset`), each on its config's
      `smoke` variant, seconds per run: checks the whole pipeline (runs, evaluation, figures, report), not
      the science. For tests.

  Raises:
    ValueError: an unknown study name or seeds < 1; and what the runs raise.
  """
  if name not in STUDIES:
    raise ValueError(f"unknown study {name!r}; choose one of {sorted(STUDIES)}")
  if seeds is not None and seeds < 1:
    raise ValueError(f"seeds = {seeds} must be >= 1")
  return STUDIES[name].run(pathlib.Path(workdir), quick, seeds, smoke=smoke)


__all__ = ["STUDIES", "run"]
