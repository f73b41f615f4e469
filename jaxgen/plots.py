"""matplotlib figures: arrays in, `Figure` out. Saving is the caller's business.

Figures are built with `matplotlib.figure.Figure`, not pyplot, so they need no
display, leave the user's backend alone (notebooks keep theirs) and are freed
when dropped.
"""

import math

import matplotlib.figure
import numpy as np


def image_grid(images: np.ndarray, ncols: int = 8) -> matplotlib.figure.Figure:
  """A grid of images.

  Args:
    images: float [N, H, W, C] in [-1, 1], C = 1 (grey) or 3 (RGB).
    ncols: images per row.

  Returns:
    The figure, one tile per image, no axes.
  """
  images = np.clip((np.asarray(images, np.float32) + 1.0) / 2.0, 0.0, 1.0)
  n, h, w, c = images.shape
  nrows = math.ceil(n / ncols)
  grid = np.ones((nrows * (h + 1) + 1, ncols * (w + 1) + 1, c), np.float32)
  for i, image in enumerate(images):
    r, col = divmod(i, ncols)
    grid[1 + r * (h + 1):1 + r * (h + 1) + h, 1 + col * (w + 1):1 + col * (w + 1) + w] = image
  fig = matplotlib.figure.Figure(figsize=(ncols * 0.6 + 0.2, nrows * 0.6 + 0.2), dpi=100)
  ax = fig.add_axes((0, 0, 1, 1))
  ax.imshow(grid[..., 0] if c == 1 else grid, cmap="gray" if c == 1 else None, vmin=0.0, vmax=1.0,
            interpolation="nearest")
  ax.set_axis_off()
  return fig


def metric_curves(records: list[dict], step_key: str = "step") -> matplotlib.figure.Figure:
  """One panel per metric over training steps; loss metrics first.

  Args:
    records: dicts with `step_key` and scalar metrics, as in `metrics.jsonl`.
    step_key: the x-axis key.

  Returns:
    The figure.

  Raises:
    ValueError: if `records` is empty.
  """
  if not records:
    raise ValueError("no records to plot")
  names = sorted({k for r in records for k in r if k != step_key},
                 key=lambda k: ("loss" not in k, k))
  ncols = min(3, len(names))
  nrows = math.ceil(len(names) / ncols)
  fig = matplotlib.figure.Figure(figsize=(4 * ncols, 2.6 * nrows), dpi=100, layout="constrained")
  for i, name in enumerate(names):
    ax = fig.add_subplot(nrows, ncols, i + 1)
    points = [(r[step_key], r[name]) for r in records if name in r]
    ax.plot(*zip(*points), lw=1)
    ax.set_title(name, fontsize=9)
    ax.set_xlabel(step_key, fontsize=8)
    ax.tick_params(labelsize=7)
    ax.grid(alpha=0.3)
  return fig
