"""Time series of evaluations: when a model collapses and which modes it loses.

Generic numpy functions of a metric logged every `train.eval_every` steps
(e.g. letter coverage, 2-D modes captured); the studies read them from
metrics.jsonl.
"""

import numpy as np


def _final_run_start(mask: np.ndarray) -> int | None:
  """The first index i with mask[i:] all True; None when mask[-1] is False (or mask is empty)."""
  mask = np.asarray(mask, bool)
  if not len(mask) or not mask[-1]:
    return None
  false = np.flatnonzero(~mask)
  return int(false[-1] + 1) if len(false) else 0


def collapse_onset(steps, values, fraction: float) -> int | None:
  r"""The first evaluation after which a coverage series stays below `fraction` of its running maximum.

  With v(t) the value at evaluation t and M(t) = max_{s <= t} v(s), it is the
  first step t with v(t') < fraction * M(t') for every t' >= t. With
  fraction = 1 it is the step after which the series never again reaches its
  best (a mode lost for good).

  Args:
    steps: int [T] training steps of the evaluations, increasing.
    values: float [T] coverage (or modes) at those steps.
    fraction: in (0, 1].

  Returns:
    The step (a Python int), or None when the series ends at or above
    fraction * its maximum (no collapse).

  Raises:
    ValueError: if fraction is not in (0, 1] or the lengths differ.

  Example:
    >>> collapse_onset([100, 200, 300, 400], [10, 20, 12, 11], 0.75)
    300
    >>> collapse_onset([100, 200, 300], [10, 20, 16], 0.75) is None
    True
  """
  if not 0 < fraction <= 1:
    raise ValueError(f"fraction must be in (0, 1], got {fraction}")
  values = np.asarray(values, np.float64)
  if len(values) != len(steps):
    raise ValueError(f"{len(steps)} steps but {len(values)} values")
  i = _final_run_start(values < fraction * np.maximum.accumulate(values))
  return None if i is None else int(steps[i])


def lost_steps(steps, counts, names, min_evaluations: int = 2) -> dict[str, int | None]:
  """For every mode (e.g. letter), the evaluation step from which its count stays 0 (it vanished), after having
  been > 0.

  A mode absent only from the last `min_evaluations - 1` evaluations is
  not called lost: one empty evaluation at the end is as likely a mode
  the sampler missed by chance.

  Args:
    steps: int [T] training steps of the evaluations.
    counts: [T, K] samples of each mode at those steps (letters: confident samples, K = 26).
    names: the K modes' names, e.g. `jaxgen.data.letters.LETTERS`.
    min_evaluations: evaluations in a row, up to the last, a mode must be
      absent from to count as lost (>= 1).

  Returns:
    {name: step, or None if it is present in any of the last
    `min_evaluations` evaluations or was never present}.
  """
  counts = np.asarray(counts)
  lost = {}
  for k, name in enumerate(names):
    i = _final_run_start(counts[:, k] <= 0)
    lost[name] = None if i is None or i == 0 or i > len(counts) - min_evaluations else int(steps[i])
  return lost
