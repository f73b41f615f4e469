"""matplotlib figures: arrays in, `Figure` out. Saving is the caller's business.

Figures are built with `matplotlib.figure.Figure`, not pyplot, so they need no
display, leave the user's backend alone (notebooks keep theirs) and are freed
when dropped.
"""

from collections.abc import Callable
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
  nrows = math.ceil(len(images) / ncols)
  fig = matplotlib.figure.Figure(figsize=(ncols * 0.6 + 0.2, nrows * 0.6 + 0.2), dpi=100)
  ax = fig.add_axes((0, 0, 1, 1))
  _show_tiles(ax, images, ncols)
  ax.set_axis_off()
  return fig


def _show_tiles(ax, images: np.ndarray, ncols: int) -> None:
  """Draws float [N, H, W, C] images in [-1, 1] as a grid of tiles into `ax`, 1-pixel white gaps; NaN images are
  grey (missing); tile (r, c) has its centre at x = c * (W + 1) + W / 2 + 1, y = r * (H + 1) + H / 2 + 1."""
  images = np.clip((np.asarray(images, np.float32) + 1.0) / 2.0, 0.0, 1.0)
  n, h, w, c = images.shape
  nrows = math.ceil(n / ncols)
  grid = np.ones((nrows * (h + 1) + 1, ncols * (w + 1) + 1, c), np.float32)
  for i, image in enumerate(np.where(np.isnan(images), 0.5, images)):
    r, col = divmod(i, ncols)
    grid[1 + r * (h + 1):1 + r * (h + 1) + h, 1 + col * (w + 1):1 + col * (w + 1) + w] = image
  ax.imshow(grid[..., 0] if c == 1 else grid, cmap="gray" if c == 1 else None, vmin=0.0, vmax=1.0,
            interpolation="nearest")


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
  """`scatter` for 2-D points [N, 2], `piano_rolls` for drum patterns [N, T, I], `image_grid` for images [N, H, W, C]."""
  return {2: scatter, 3: piano_rolls}.get(np.ndim(samples), image_grid)(samples)


def metric_curves(records: list[dict], step_key: str = "step") -> matplotlib.figure.Figure:
  """One panel per scalar metric over training steps; loss metrics first.

  Per-dimension series (names with a "/", e.g. "kl_low/03") are left out:
  they belong in a figure of their own.

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
  names = sorted({k for r in records for k in r if k != step_key and "/" not in k},
                 key=lambda k: ("loss" not in k, k))
  ncols = min(3, len(names))
  nrows = math.ceil(len(names) / ncols)
  width, height = 4.0 * ncols, 2.6 * nrows
  fig = matplotlib.figure.Figure(figsize=(width, height), dpi=100)
  # Fixed margins in inches, not a constrained layout: the panels are alike, and the layout solver was
  # more than half the time of every figure step (0.6 s of 1 s for nine panels on a 2-core CPU).
  panel_h = (height - 0.75 - 0.75 * (nrows - 1)) / nrows
  fig.subplots_adjust(left=0.6 / width, right=1 - 0.15 / width, bottom=0.45 / height, top=1 - 0.3 / height,
                      wspace=0.75 / (width / ncols - 0.75), hspace=0.75 / panel_h)
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



def schedules_figure(schedules: dict[str, Callable], steps: int) -> matplotlib.figure.Figure:
  """Each schedule's value over steps 0..`steps`, one line per schedule in one panel.

  Args:
    schedules: name -> `step -> value` function (e.g. from `jaxgen.schedules`).
      It is called once with the int32 array of all steps; a function that
      only takes a single step is called once per step instead.
    steps: the last step drawn (inclusive), >= 0.

  Returns:
    The figure.

  Raises:
    ValueError: if `schedules` is empty or `steps` is negative.
  """
  if not schedules:
    raise ValueError("no schedules to plot")
  if steps < 0:
    raise ValueError(f"steps must be >= 0, got {steps}")
  xs = np.arange(steps + 1, dtype=np.int32)
  fig = matplotlib.figure.Figure(figsize=(5, 3), dpi=100, layout="constrained")
  ax = fig.add_subplot()
  for name, schedule in schedules.items():
    try:  # Elementwise schedules (all of jaxgen.schedules) take every step at once.
      values = np.broadcast_to(np.asarray(schedule(xs), np.float64), xs.shape)
    except (TypeError, ValueError):  # Scalar-only functions (Python control flow on the step).
      values = np.array([float(schedule(int(x))) for x in xs], np.float64)
    ax.plot(xs, values, lw=1, label=name)
  ax.set_xlabel("step", fontsize=8)
  ax.set_ylabel("value", fontsize=8)
  ax.tick_params(labelsize=7)
  ax.grid(alpha=0.3)
  ax.legend(fontsize=7)
  return fig


def piano_rolls(patterns: np.ndarray, titles: list[str] | None = None, ncols: int = 8,
                instruments: tuple[str, ...] | None = None) -> matplotlib.figure.Figure:
  """Drum patterns as piano rolls: one tile per pattern, time steps across, instruments up.

  The tiles are drawn as one image in one panel (a blank cell between tiles,
  the off cells of each beat's first step shaded): 64 panels took 2 s a
  figure, most of a drum run's figure steps.

  Args:
    patterns: [N, T, I] with values in {0, 1} (or in [-1, 1]: values > 0 count as on).
    titles: optional N tile titles.
    ncols: tiles per row.
    instruments: I row labels, repeated down the left edge (e.g. `jaxgen.data.drums.INSTRUMENTS`).

  Returns:
    The figure.
  """
  patterns = np.asarray(patterns) > 0
  n, steps, kit = patterns.shape
  ncols = min(ncols, n)
  nrows = math.ceil(n / ncols)
  gap_x, gap_y = 1, 3 if titles else 1  # Blank cells between tiles (room for a title above each).
  tile_w, tile_h = steps + gap_x, kit + gap_y
  canvas = np.full((nrows * tile_h, ncols * tile_w), np.nan)
  beat_starts = (np.arange(steps) % 4 == 0)[:, None]
  fig = matplotlib.figure.Figure(figsize=(1.7 * ncols + (0.9 if instruments else 0.2), 1.2 * nrows + 0.3), dpi=100)
  left = (0.9 if instruments else 0.05) / fig.get_figwidth()  # Inches of room for the instrument names.
  ax = fig.add_axes((left, 0.01, 0.995 - left, 0.98))
  for i, pattern in enumerate(patterns):
    row, col = divmod(i, ncols)
    y0, x0 = (nrows - 1 - row) * tile_h, col * tile_w  # Row 0 of the tiles at the top.
    canvas[y0:y0 + kit, x0:x0 + steps] = np.where(pattern, 1.0, np.where(beat_starts, 0.12, 0.0)).T
    if titles:
      ax.text(x0 + steps / 2 - 0.5, y0 + kit + 0.2, titles[i], ha="center", va="bottom", fontsize=6)
  cmap = matplotlib.colormaps["Greys"].with_extremes(bad="white")
  ax.imshow(canvas, origin="lower", aspect="auto", cmap=cmap, vmin=0, vmax=1, interpolation="nearest")
  ax.set_xticks([])
  if instruments:
    ax.set_yticks([r * tile_h + k for r in range(nrows) for k in range(kit)])
    ax.set_yticklabels(list(instruments) * nrows, fontsize=5)
    ax.tick_params(length=0, pad=1)
  else:
    ax.set_yticks([])
  for side in ax.spines.values():
    side.set_visible(False)
  return fig


def labelled_scatter(points: np.ndarray, labels: np.ndarray, names: list[str] | None = None, ax=None,
                     size: float = 2.0):
  """A 2-D scatter coloured by integer label (e.g. latent codes by digit or style), with a legend.

  Args:
    points: float [N, 2].
    labels: int [N].
    names: legend text per label value; default the values.
    ax: an Axes to draw into; None makes a new figure.

  Returns:
    The figure.
  """
  if ax is None:
    fig = matplotlib.figure.Figure(figsize=(4.2, 4), dpi=100, layout="constrained")
    ax = fig.add_subplot()
  points, labels = np.asarray(points), np.asarray(labels)
  cmap = matplotlib.colormaps["tab10"]
  for value in np.unique(labels):
    sel = labels == value
    ax.scatter(points[sel, 0], points[sel, 1], s=size, color=cmap(int(value) % 10), lw=0, alpha=0.7,
               label=str(names[value] if names is not None else value))
  ax.legend(fontsize=5, markerscale=3, loc="best", ncols=2)
  ax.tick_params(labelsize=6)
  return ax.figure


def alphabet_grids(panels: dict[str, np.ndarray], letters: str) -> matplotlib.figure.Figure:
  """One alphabet per panel (e.g. per training step): a tile per letter, grey where the letter is missing.

  Args:
    panels: title -> float [K, H, W, 1] in [-1, 1], image k showing letter
      `letters[k]`, or NaN where no sample is that letter.
    letters: the K letters, e.g. "ABC...Z" (2 rows of 13 for 26).

  Returns:
    The figure, panels stacked top to bottom.
  """
  ncols = math.ceil(len(letters) / 2)
  fig = matplotlib.figure.Figure(figsize=(ncols * 0.45 + 0.4, len(panels) * 1.25), dpi=100, layout="constrained")
  for i, (title, images) in enumerate(panels.items()):
    ax = fig.add_subplot(len(panels), 1, i + 1)
    _show_tiles(ax, images, ncols)
    h, w = np.shape(images)[1:3]
    for k, letter in enumerate(letters):  # The letter in the tile's corner.
      r, col = divmod(k, ncols)
      ax.text(col * (w + 1) + 2, r * (h + 1) + 5, letter, color="tab:red", fontsize=5)
    ax.set_title(title, fontsize=8)
    ax.set_axis_off()
  return fig


def class_rows(images: np.ndarray, row_labels: list[str], title: str = "") -> matplotlib.figure.Figure:
  """A grid with one row per class, labelled on the left (class-conditional samples).

  Args:
    images: float [K, n, H, W, C] in [-1, 1]: n samples of each of K classes.
    row_labels: K names.
    title: figure title.
  """
  k, n, h = np.shape(images)[:3]
  fig = matplotlib.figure.Figure(figsize=(n * 0.35 + 0.6, k * 0.35 + 0.4), dpi=100, layout="constrained")
  ax = fig.add_subplot()
  _show_tiles(ax, np.reshape(images, (k * n, *np.shape(images)[2:])), n)
  ax.set_yticks([r * (h + 1) + h / 2 + 1 for r in range(k)], row_labels, fontsize=6)
  ax.set_xticks([])
  ax.set_title(title, fontsize=8)
  return fig


def mean_band(ax, steps, values, label: str | None = None, **kwargs) -> None:
  """Plots the mean over seeds of values [T, S] (or [T]) with a +- standard-error band."""
  values = np.asarray(values, np.float64).reshape(len(steps), -1)
  mean = values.mean(1)
  se = values.std(1, ddof=1) / np.sqrt(values.shape[1]) if values.shape[1] > 1 else np.zeros_like(mean)
  line, = ax.plot(steps, mean, label=label, lw=1.2, **kwargs)
  ax.fill_between(steps, mean - se, mean + se, alpha=0.2, color=line.get_color())


def count_heatmap(steps, counts: np.ndarray, names: list[str], title: str = "") -> matplotlib.figure.Figure:
  """Per-class counts over training (survival curves as a heat map): classes down, evaluations across.

  Args:
    steps: int [T] evaluation steps.
    counts: float [T, K] samples per class at each evaluation.
    names: K class names.
  """
  counts = np.asarray(counts, np.float64)
  fig = matplotlib.figure.Figure(figsize=(7, 0.16 * len(names) + 1.2), dpi=100, layout="constrained")
  ax = fig.add_subplot()
  image = ax.imshow(np.log1p(counts.T), aspect="auto", cmap="viridis", interpolation="nearest")
  ax.set_yticks(range(len(names)), names, fontsize=6)
  ticks = np.linspace(0, len(steps) - 1, min(len(steps), 8)).round().astype(int)
  ax.set_xticks(ticks, [str(steps[t]) for t in ticks], fontsize=7)
  ax.set_xlabel("generator step", fontsize=8)
  ax.set_title(title, fontsize=9)
  fig.colorbar(image, ax=ax, label="log(1 + count)")
  return fig


def scatter_over_steps(rows: dict[str, dict[int, np.ndarray]], means: np.ndarray, lim: float
                       ) -> matplotlib.figure.Figure:
  """2-D samples over training: one row per setting, one column per saved step.

  Args:
    rows: {setting: {step: float32 [n, 2] samples}}.
    means: float [K, 2] mixture means, marked in every panel.
    lim: the axes span [-lim, lim] in both coordinates.
  """
  ncols = max(len(r) for r in rows.values())
  fig = matplotlib.figure.Figure(figsize=(1.6 * ncols, 1.6 * len(rows)), dpi=100, layout="constrained")
  for row, (name, by_step) in enumerate(rows.items()):
    for col, (step, points) in enumerate(sorted(by_step.items())):
      ax = fig.add_subplot(len(rows), ncols, row * ncols + col + 1)
      scatter(points, means, ax=ax, size=1.0)
      ax.set_aspect("equal", adjustable="box")
      ax.set_xlim(-lim, lim), ax.set_ylim(-lim, lim)
      ax.set_xticks([]), ax.set_yticks([])
      if row == 0:
        ax.set_title(f"step {step}", fontsize=7)
      if col == 0:
        ax.set_ylabel(name, fontsize=7)
  return fig


def series_panels(panels: dict[str, dict[str, tuple[np.ndarray, np.ndarray]]], xlabel: str = "generator step",
                  ylabel: str = "", width: float = 4.3, height: float = 3.4) -> matplotlib.figure.Figure:
  """One panel per title, one mean +- s.e. curve per label (`mean_band`).

  Args:
    panels: {title: {label: (steps int [T], values float [T, seeds])}}.
  """
  fig = matplotlib.figure.Figure(figsize=(width * len(panels), height), dpi=100, layout="constrained")
  for i, (title, curves) in enumerate(panels.items()):
    ax = fig.add_subplot(1, len(panels), i + 1)
    for label, (steps, values) in curves.items():
      mean_band(ax, steps, values, label)
    ax.set_title(title, fontsize=9)
    ax.set_xlabel(xlabel, fontsize=8)
    ax.set_ylabel(ylabel, fontsize=8)
    ax.legend(fontsize=6)
    ax.grid(alpha=0.3)
  return fig


def sorted_counts(histograms: dict[str, np.ndarray], uniform: float, xlabel: str, ylabel: str
                  ) -> matplotlib.figure.Figure:
  """Mode histograms sorted by count (log scale), with the uniform count as a dotted line.

  Args:
    histograms: {label: int [K] samples per mode}.
    uniform: the count of every mode under the uniform distribution.
  """
  fig = matplotlib.figure.Figure(figsize=(7, 3.2), dpi=100, layout="constrained")
  ax = fig.add_subplot()
  for name, counts in histograms.items():
    counts = np.asarray(counts)
    ax.plot(np.sort(counts)[::-1], label=f"{name} ({int((counts > 0).sum())} modes)", lw=1.2)
  ax.axhline(uniform, c="k", ls=":", lw=0.8, label=f"uniform ({uniform:g} per mode)")
  ax.set_xlabel(xlabel, fontsize=8)
  ax.set_ylabel(ylabel, fontsize=8)
  ax.set_yscale("symlog", linthresh=1)
  ax.legend(fontsize=7)
  return fig


def grouped_bars(values: dict[str, np.ndarray], names: list[str], ylabel: str) -> matplotlib.figure.Figure:
  """One group of bars per class (e.g. letter), one bar per setting.

  Args:
    values: {setting: float [K]}.
    names: the K class names (x tick labels).
  """
  fig = matplotlib.figure.Figure(figsize=(10, 3.2), dpi=100, layout="constrained")
  ax = fig.add_subplot()
  width = 0.8 / len(values)
  for i, (label, v) in enumerate(values.items()):
    ax.bar(np.arange(len(names)) + (i - (len(values) - 1) / 2) * width, v, width=width, label=label)
  ax.set_xticks(range(len(names)), names)
  ax.set_ylabel(ylabel, fontsize=8)
  ax.legend(fontsize=7)
  return fig


def annotated_curves(curves: dict[str, tuple[np.ndarray, np.ndarray]], annotations, xlabel: str, ylabel: str,
                     title: str = "") -> matplotlib.figure.Figure:
  """x-y curves with markers, each point annotated (e.g. a rate-distortion curve labelled by beta).

  Args:
    curves: {label: (x float [P], y float [P])}.
    annotations: P strings, one per point (the same for every curve).
  """
  fig = matplotlib.figure.Figure(figsize=(5.5, 4), dpi=100, layout="constrained")
  ax = fig.add_subplot()
  for label, (x, y) in curves.items():
    ax.plot(x, y, "o-", label=label)
    for text, xi, yi in zip(annotations, x, y):
      ax.annotate(text, (xi, yi), fontsize=6, xytext=(3, 3), textcoords="offset points")
  ax.set_xlabel(xlabel)
  ax.set_ylabel(ylabel)
  ax.set_title(title, fontsize=9)
  ax.legend()
  ax.grid(alpha=0.3)
  return fig


def scatter_panels(panels: dict[str, np.ndarray], labels: np.ndarray, names: list[str] | None = None,
                   size: float | None = None) -> matplotlib.figure.Figure:
  """Side-by-side `labelled_scatter`s of 2-D embeddings (latent means, PCA projections) coloured by class.

  Args:
    panels: {title: float [N, 2] points}.
    labels: int [N] class of every point (shared by the panels).
  """
  fig = matplotlib.figure.Figure(figsize=(4 * len(panels), 3.8), dpi=100, layout="constrained")
  for i, (title, points) in enumerate(panels.items()):
    ax = fig.add_subplot(1, len(panels), i + 1)
    labelled_scatter(np.asarray(points), labels, names=names, ax=ax, **({"size": size} if size else {}))
    ax.set_title(title, fontsize=8)
  return fig


def kl_per_dimension(panels: dict[str, tuple[np.ndarray, dict[str, np.ndarray]]]) -> matplotlib.figure.Figure:
  """Per-dimension KL over training, one panel per setting: z_high dimensions thick red, z_low thin blue.

  Args:
    panels: {title: (steps int [T], {"kl_high/<d>" or "kl_low/<d>": KL in nats float [T]})}.
  """
  fig = matplotlib.figure.Figure(figsize=(4 * len(panels), 3.2), dpi=100, layout="constrained")
  for i, (title, (steps, curves)) in enumerate(panels.items()):
    ax = fig.add_subplot(1, len(panels), i + 1)
    for key, values in sorted(curves.items()):
      high = key.startswith("kl_high")
      first = key.endswith("/00")
      ax.plot(steps, values, lw=1.6 if high else 0.6, alpha=1 if high else 0.6, color="C3" if high else "C0",
              label=("z_high" if high else "z_low") if first else None)
    ax.set_title(title, fontsize=9)
    ax.set_xlabel("step", fontsize=8)
    ax.set_ylabel("KL per dimension (nats)", fontsize=8)
    ax.set_yscale("symlog", linthresh=0.01)
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
  return fig


def training_dynamics(panels: dict[str, dict[str, tuple[np.ndarray, np.ndarray]]], title: str = ""
                      ) -> matplotlib.figure.Figure:
  """A 2x2 grid of mean +- s.e. curves over seeds (a GAN's losses, coverage, loss ratio, gradient norms); the
  fourth panel on a log scale.

  Args:
    panels: four {panel title: {label: (steps int [T], values float [T, seeds])}}.
  """
  fig = matplotlib.figure.Figure(figsize=(9, 5.5), dpi=100, layout="constrained")
  axes = fig.subplots(2, 2).ravel()
  for ax, (name, curves) in zip(axes, panels.items()):
    for label, (steps, values) in curves.items():
      mean_band(ax, steps, values, label)
    ax.set_title(name, fontsize=9)
    ax.set_xlabel("generator step", fontsize=8)
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
  axes[3].set_yscale("log")
  fig.suptitle(title, fontsize=10)
  return fig


def drop_monitor(panels: dict[str, tuple]) -> matplotlib.figure.Figure:
  """Per setting: a monitored loss with its detected drops (red dashes), and coverage on a second axis.

  Args:
    panels: {title: (steps int [T], loss float [T] in nats, drop steps int [D],
      (coverage steps int [E], coverage float [E] in [0, 1]))}.
  """
  fig = matplotlib.figure.Figure(figsize=(5 * len(panels), 3.4), dpi=100, layout="constrained")
  for i, (name, (steps, loss, drops, (coverage_steps, coverage))) in enumerate(panels.items()):
    ax = fig.add_subplot(1, len(panels), i + 1)
    ax.plot(steps, loss, lw=1, label="auxiliary loss on fakes (seed 0)")
    for step in drops:
      ax.axvline(step, c="tab:red", lw=0.8, ls="--")
    ax.set_xlabel("generator step", fontsize=8)
    ax.set_ylabel("cross-entropy (nats)", fontsize=8)
    twin = ax.twinx()
    twin.plot(coverage_steps, coverage, c="k", lw=1, label="coverage")
    twin.set_ylim(0, 1.05)
    twin.set_ylabel("coverage", fontsize=8)
    ax.set_title(f"{name}: {len(drops)} drop(s) detected (red)", fontsize=9)
    ax.legend(fontsize=7, loc="upper right")
  return fig


def histograms(values: dict[str, np.ndarray], xlabel: str, title: str = "", bins: int = 30
               ) -> matplotlib.figure.Figure:
  """Overlaid histograms on shared bins.

  Args:
    values: {label: float [N]} (N may differ between labels).
    xlabel: what the values are, with units.
  """
  fig = matplotlib.figure.Figure(figsize=(5.5, 3.5), dpi=100, layout="constrained")
  ax = fig.add_subplot()
  edges = np.histogram_bin_edges(np.concatenate([np.ravel(v) for v in values.values()]), bins=bins)
  for label, v in values.items():
    ax.hist(np.ravel(v), bins=edges, alpha=0.6, label=f"{label} (n = {np.size(v)})")
  ax.set_xlabel(xlabel, fontsize=8)
  ax.set_ylabel("count", fontsize=8)
  ax.set_title(title, fontsize=9)
  ax.legend(fontsize=7)
  return fig


def density_panels(panels: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]], xlabel: str
                   ) -> matplotlib.figure.Figure:
  """One panel per entry: a histogram of samples (as a density) under an exact density curve.

  Args:
    panels: {title: (samples float [N], grid float [G], density float [G] on the grid)}.
    xlabel: what the values are.
  """
  fig = matplotlib.figure.Figure(figsize=(3.0 * len(panels), 2.8), dpi=100, layout="constrained")
  for ax, (title, (samples, grid, density)) in zip(fig.subplots(1, len(panels), squeeze=False)[0], panels.items()):
    ax.hist(samples, bins=grid[::2], density=True, alpha=0.5, label="samples")
    ax.plot(grid, density, "k", lw=1, label="exact")
    ax.set_title(title, fontsize=9)
    ax.set_xlabel(xlabel, fontsize=8)
    ax.tick_params(labelsize=7)
  fig.axes[0].legend(fontsize=7)
  return fig
