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


def scatter(points: np.ndarray, means: np.ndarray | None = None, ax=None, size: float = 3.0):
  """A 2-D scatter of generated points, optionally with the true means as red crosses.

  Args:
    points: float [N, 2].
    means: float [K, 2] or None.
    ax: an Axes to draw into; None makes a new 4x4 inch figure.

  Returns:
    The figure (the Axes' figure when `ax` is given).
  """
  if ax is None:
    fig = matplotlib.figure.Figure(figsize=(4, 4), dpi=100, layout="constrained")
    ax = fig.add_subplot()
  points = np.asarray(points)
  ax.scatter(points[:, 0], points[:, 1], s=size, alpha=0.5, lw=0)
  if means is not None:
    ax.scatter(means[:, 0], means[:, 1], s=12, c="red", marker="x", lw=0.8)
  ax.set_aspect("equal", adjustable="datalim")
  ax.tick_params(labelsize=6)
  return ax.figure


def samples_figure(samples: np.ndarray) -> matplotlib.figure.Figure:
  """`scatter` for 2-D points [N, 2], `image_grid` for images [N, H, W, C]."""
  return scatter(samples) if np.ndim(samples) == 2 else image_grid(samples)


def metric_curves(records: list[dict], step_key: str = "step") -> matplotlib.figure.Figure:
  """One panel per metric over training steps; loss metrics first.

  Args:
    records: dicts with `step_key` and metrics, as in `metrics.jsonl`: a
      scalar per metric, or a list over the seeds of a sweep (drawn as one
      thin line per seed and their mean).
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
    steps = [r[step_key] for r in records if name in r]
    values = np.array([r[name] for r in records if name in r], np.float64)  # [T] or [T, seeds]
    if values.ndim == 2:  # One thin line per seed, the mean in black.
      ax.plot(steps, values, lw=0.5, alpha=0.4)
      ax.plot(steps, values.mean(1), lw=1, c="k")
    else:
      ax.plot(steps, values, lw=1)
    ax.set_title(name, fontsize=9)
    ax.set_xlabel(step_key, fontsize=8)
    ax.tick_params(labelsize=7)
    ax.grid(alpha=0.3)
  return fig
