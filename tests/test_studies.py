"""Pieces of the studies' reports: when collapse begins, mean +- standard error tables, the study registry."""

import json
import re

import numpy as np

import pytest

from configs import letters_dcgan
from jaxgen import studies
from jaxgen.data.letters import LETTERS
from jaxgen.studies import beta_vae
from jaxgen.studies import common
from jaxgen.studies import letters
from jaxgen.studies import mode_collapse


def test_first_lost_mode_step_finds_the_mode_never_recovered():
  counts = [[2, 8], [3, 8], [3, 7], [2, 8], [3, 8], [2, 8]]  # Two seeds over six eval steps.
  records = [{"step": 100 * (i + 1), "modes_captured": c} for i, c in enumerate(counts)]
  # Seed 0 reaches 3 modes at step 200 and 500; from step 600 on it stays below 3.
  assert mode_collapse.first_lost_mode_step(records, 0) == 600
  # Seed 1 ends with all 8 modes it ever had.
  assert mode_collapse.first_lost_mode_step(records, 1) is None


def test_mean_and_standard_error():
  mean, se = common.mean_and_se([1.0, 2.0, 3.0, 6.0])
  assert mean == 3.0
  np.testing.assert_allclose(se, np.std([1, 2, 3, 6], ddof=1) / 2)
  assert common.mean_and_se([4.0]) == (4.0, 0.0)


def test_summary_tables_have_one_row_per_setting():
  rows = [("a", {"seeds": [0, 1], "modes": [7.0, 8.0]}), ("b", {"seeds": [0, 1], "modes": [1.0, 1.0]})]
  markdown, csv = common.summary_tables(rows)
  assert csv.splitlines() == ["setting,seeds,modes_mean,modes_se", "a,2,7.5,0.5", "b,2,1,0"]
  assert "| a | 2 | 7.5 ± 0.5 |" in markdown


def test_beta_vae_sweep_members_regroup_by_beta_over_seeds():
  seeds, settings = beta_vae.sweep((0.1, 1.0, 10.0), num_seeds=2)
  assert seeds == [0, 1, 2, 3, 4, 5]  # Every member its own seed; with one seed, member i is seed i.
  # Regrouping the members' own kl_weight gives each beta's seeds, so results land in the right row.
  grouped = beta_vae.per_beta(settings["kl_weight"], 3)
  np.testing.assert_array_equal(grouped, [[0.1, 0.1], [1.0, 1.0], [10.0, 10.0]])
  np.testing.assert_array_equal(beta_vae.per_beta(seeds, 3), [[0, 3], [1, 4], [2, 5]])


def test_an_unknown_study_is_refused_with_the_valid_names(tmp_path):
  with pytest.raises(ValueError, match="mode_collapse"):
    studies.run("mode_colapse", tmp_path)
  assert not list(tmp_path.iterdir())


def markdown_tables(report: str) -> list[list[list[str]]]:
  """The report's markdown tables, each a list of rows of cells (the header first, the |---| line dropped)."""
  tables, rows = [], []
  for line in report.splitlines() + [""]:
    if line.startswith("|"):
      if not set(line) <= set("|-: "):
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    elif rows:
      tables.append(rows)
      rows = []
  return tables


# Each study's smoke run (its configs' `smoke` variants, one seed, two settings of each table: `common.smoke_subset`):
# the whole pipeline from training to report.md and its figures, not the science. The classifiers are the session's
# shared ones.
@pytest.mark.parametrize("name", sorted(studies.STUDIES))
def test_every_study_runs_end_to_end_and_writes_its_report_and_figures(name, tmp_path, request):
  needs = {"letters": ["letter_classifier"], "beta_vae": ["tfds_data_dir"], "posterior_collapse": [],
           "sequence_decoders": []}
  for fixture in needs.get(name, ["classifier"]):
    request.getfixturevalue(fixture)
  report = studies.run(name, tmp_path, seeds=1, smoke=True)
  assert (tmp_path / "report.md").read_text() == report
  tables = markdown_tables(report)
  assert tables, f"{name}: no table in its report"
  for table in tables:  # A header, at least one row, and every row as wide as its header.
    assert len(table) >= 2 and all(len(row) == len(table[0]) for row in table), table
  figures = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", report)
  assert figures, f"{name}: no figure in its report"
  for path in figures:
    assert (tmp_path / path).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", path
  if name == "mode_collapse":  # One row per trained setting on each 2-D benchmark, then the published rows.
    sections = {section.split()[0]: section for section in report.split("\n## ")[1:]}
    for benchmark in ("ring", "grid"):
      rows = markdown_tables(sections[benchmark])[0][1:]
      assert [row[0] for row in rows[:len(mode_collapse.SMOKE_FIXES)]] == list(mode_collapse.SMOKE_FIXES)
  if name == "letters":  # The vanilla run logs each letter's count over training (the coverage series).
    run_dir = tmp_path / common.slug(letters.VANILLA)
    records = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    series = [r for r in records if "coverage" in r]
    assert [r["step"] for r in series] == [10, 20]
    assert all(len(r[f"count/{letter}"]) == 1 for r in series for letter in LETTERS)
    result = json.loads((run_dir / "eval.json").read_text())
    assert len(result["counts"][0]) == 26
    assert sum(result["counts"][0]) <= letters_dcgan.get_config("smoke").eval.num_samples
    assert result["missing"][0] == "".join(l for l, c in zip(LETTERS, result["counts"][0]) if c == 0)
    assert len(list((run_dir / "figures" / "samples").glob("step_*.npy"))) == 2
    assert np.load(run_dir / "figures" / "samples" / "step_00000020.npy").shape == (1, 52, 28, 28, 1)


def test_repeat_agreement_counts_which_bar_the_last_bar_copies():
  """Four 4-bar patterns: bars 1 and 3 differ in one cell each; the last bar copies bar 1 in three, bar 3 in one."""
  from jaxgen.studies import sequence_decoders  # pylint: disable=g-import-not-at-top
  x = np.zeros((4, 64, 9))
  x[:, 0, 0] = 1  # Bar 1 plays the kick on step 0; bar 3 does not.
  x[:3, 48, 0] = 1  # The last bar copies bar 1 in patterns 0-2, bar 3 in pattern 3.
  same_first, same_previous, prefers_first = sequence_decoders.repeat_agreement(x)
  cells = 12 * 9
  assert same_first == pytest.approx(1 - 1 / (4 * cells)) and same_previous == pytest.approx(1 - 3 / (4 * cells))
  assert prefers_first == 0.75
  x[:, 60:, 1] = 1  # The fill (steps 12-15 of the last bar) is not compared.
  assert sequence_decoders.repeat_agreement(x)[2] == 0.75
