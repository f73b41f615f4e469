r"""Latent geometry of an MNIST GAN: inversion from many starts, minimum-energy paths, generators trained for short paths.

  python -m launch.reproduce latent_geometry --workdir runs/latent [--quick]
  >>> jaxgen.studies.run("latent_geometry", "runs/latent", quick=True)  # doctest: +SKIP

configs/mnist_gan.py (MLP non-saturating GAN on the 4,500 `mnist_subset`
digits), `num_seeds` (default 3) seeds per setting, one sweep each:
  "GAN" (the config), "Path length" (StyleGAN2's penalty, weight
  PATH_LENGTH_WEIGHT) and "Path energy" (the U of straight paths between
  random code pairs, weight PATH_ENERGY_WEIGHT): see `jaxgen.methods.gan`.
Then, with the generators frozen (`frozen_generator`):
  (c) the first `targets` test digits are inverted from `starts` random
      starts each (`jaxgen.analysis.invert`, Adam 0.05, no prior, plain GAN
      seed 0); a digit has more than one minimum when its final codes form
      more than one cluster at distance DISTINCT_FRACTION * sqrt(d)
      (`distinct_minima`);
  (d) `pairs` pairs of test digits (2k, 2k + 1), each inverted (best of the
      starts), are joined by the straight line, slerp and the optimised path
      (`optimize_path` from the straight line, PATH_POINTS codes); U is
      reported on the 4x finer resampling of each path;
  (e) per setting and seed: the mean optimised U over the same pairs
      (inverted with that generator), perceptual path length in the MNIST
      classifier's features (`jaxgen.metrics.path_length`, slerp, eps 1e-4,
      `ppl_samples` pairs), and Fréchet distance, precision and recall in the
      same features against as many training digits.
Writes report.md with the tables and figures/. Sizes: FULL or QUICK.
"""

import copy
import pathlib

import jax
import jax.numpy as jnp
import numpy as np

from configs import mnist_gan
from jaxgen import analysis
from jaxgen import data as data_lib
from jaxgen import plots
from jaxgen.experiment import held_out_examples
from jaxgen.metrics import classifier as classifier_lib
from jaxgen.metrics import path_length
from jaxgen.metrics.features import feature_metrics
from jaxgen.studies import common
from jaxgen.studies.common import fmt, member

PATH_LENGTH_WEIGHT = 2.0  # StyleGAN2's pl_weight (Karras et al., 2020), applied every step here.
PATH_ENERGY_WEIGHT = 1e-4  # U of MNIST paths is O(10^3-10^4); this makes it O(1) beside the GAN loss. Not tuned.
SETTINGS = {
    "GAN": {},
    "Path length": {"method.path_length_weight": PATH_LENGTH_WEIGHT},
    "Path energy": {"method.path_energy_weight": PATH_ENERGY_WEIGHT},
}
DISTINCT_FRACTION = 0.1  # Codes closer than 0.1 sqrt(d) are one minimum; starts are ~sqrt(2 d) apart.
PATH_POINTS = 17  # Codes per path (16 segments); energies on 4 x 16 + 1 points.
FULL = dict(steps=None, targets=32, starts=8, invert_steps=500, pairs=50, path_steps=300, ppl_samples=2000,
            feature_samples=2000)
QUICK = dict(steps=2000, targets=16, starts=8, invert_steps=300, pairs=16, path_steps=150, ppl_samples=1000,
             feature_samples=1000)


def invert_best(generator_fn, x: jax.Array, key: jax.Array, starts: int, steps: int, latent_dim: int):
  """(`analysis.invert` of images x [M, ...] from `starts` N(0, I) codes each, the best code per image [M, d])."""
  z0 = jax.random.normal(key, (x.shape[0], starts, latent_dim))
  out = jax.jit(lambda x, z0: analysis.invert(generator_fn, x, z0, steps=steps, learning_rate=0.05))(x, z0)
  return out, out.z[jnp.arange(x.shape[0]), jnp.argmin(out.errors, axis=1)]


def pair_energies(generator_fn, za, zb, xa, xb, steps: int) -> dict[str, jax.Array]:
  """Per pair [P]: U (on the 4x finer resampling) of the straight line, slerp and the optimised path, and the
  optimised paths [P, PATH_POINTS, d]. Codes za, zb [P, d]; targets xa, xb [P, ...]."""
  fine = 4 * (PATH_POINTS - 1) + 1

  def one(za, zb, xa, xb):
    energy = lambda path: analysis.path_energy(generator_fn, analysis.resample(path, fine), xa, xb)
    straight = analysis.straight_path(za, zb, PATH_POINTS)
    best = analysis.optimize_path(generator_fn, xa, xb, straight, steps=steps, learning_rate=0.01,
                                  resample_every=10, fine_points=fine)
    return {"straight": energy(straight), "slerp": energy(analysis.slerp_path(za, zb, PATH_POINTS)),
            "optimised": best.energy, "path": best.path}
  return jax.jit(jax.vmap(one))(za, zb, xa, xb)


def run(workdir: pathlib.Path, quick: bool = False, num_seeds: int | None = None, smoke: bool = False) -> str:
  """Runs the latent-geometry study and writes report.md; returns its text."""
  sizes = dict(QUICK if (quick or smoke) else FULL)
  if smoke:
    sizes.update(targets=2, starts=2, invert_steps=5, pairs=2, path_steps=10, ppl_samples=16, feature_samples=16)
  seeds = list(range(num_seeds or 3))
  figdir = workdir / "figures"
  figdir.mkdir(parents=True, exist_ok=True)
  base = common.shorten(mnist_gan.get_config("smoke" if smoke else ""), sizes["steps"])
  runs = {}
  for name, overrides in common.smoke_subset(SETTINGS, ("GAN", "Path energy"), smoke).items():
    config = copy.deepcopy(base)
    config.update_from_flattened_dict(overrides)
    print(f"[latent_geometry] {name} -> {workdir / common.slug(name)}", flush=True)
    runs[name] = common.study_run(config, workdir / common.slug(name), seeds)
  d = base.model.latent_dim
  x = jnp.asarray(held_out_examples(runs["GAN"].real))
  params = classifier_lib.load_classifier().params
  key = jax.random.key(0)

  # (c) Inversion of the first test digits from many starts, plain GAN seed 0.
  gan_fn = runs["GAN"].method.frozen_generator(member(runs["GAN"].state, 0))
  targets = x[:sizes["targets"]]
  inv, _ = invert_best(gan_fn, targets, jax.random.fold_in(key, 1), sizes["starts"], sizes["invert_steps"], d)
  threshold = DISTINCT_FRACTION * np.sqrt(d)
  minima = np.asarray(jax.vmap(lambda z: analysis.distinct_minima(z, threshold))(inv.z))
  errors = np.asarray(inv.errors)
  spread = [analysis.inversion.pairwise_distances(z, gan_fn(z)) for z in inv.z]
  dz, dx = np.concatenate([np.asarray(s[0]) for s in spread]), np.concatenate([np.asarray(s[1]) for s in spread])
  shown = min(8, len(targets))
  recon = np.asarray(jax.vmap(gan_fn)(inv.z[:shown]))  # [shown, starts, 28, 28, 1]
  rows = np.concatenate([np.asarray(targets[:shown])[:, None], recon], axis=1)
  plots.class_rows(rows, [f"digit {i}: {minima[i]} min." for i in range(shown)],
                   "target, then G(z*) from each start").savefig(figdir / "inversions.png")
  plots.histograms({"final error, every start": errors.ravel(), "best start per digit": errors.min(1)},
                   "mean squared pixel error of G(z*) (pixels in [-1, 1])").savefig(figdir / "inversion_errors.png")

  # (d) and (e): paths between the inverted codes of test pairs, for every setting and seed.
  xa, xb = x[0:2 * sizes["pairs"]:2], x[1:2 * sizes["pairs"]:2]
  table, energies = {}, {}
  for name, run_ in runs.items():
    table[name] = {k: [] for k in ("optimised_u", "straight_u", "ppl", "frechet_distance", "precision", "recall")}
    for i, _ in enumerate(seeds):
      one = member(run_.state, i)
      fn = run_.method.frozen_generator(one)
      _, codes = invert_best(fn, jnp.concatenate([xa, xb]), jax.random.fold_in(key, 2), sizes["starts"] // 2,
                             sizes["invert_steps"], d)
      u = pair_energies(fn, codes[:len(xa)], codes[len(xa):], xa, xb, sizes["path_steps"])
      if name == "GAN" and i == 0:
        energies = u
      table[name]["optimised_u"].append(float(jnp.mean(u["optimised"])))
      table[name]["straight_u"].append(float(jnp.mean(u["straight"])))
      features = lambda a, b: jnp.sum(jnp.square(classifier_lib.classifier_features(params, a) -
                                                 classifier_lib.classifier_features(params, b)), -1)
      table[name]["ppl"].append(float(path_length.perceptual_path_length(path_length.path_length_samples(
          fn, jax.random.fold_in(key, 3), sizes["ppl_samples"], d, distance_fn=features))))
      samples = run_.method.sample(one, jax.random.fold_in(key, 4), sizes["feature_samples"])
      train = data_lib.to_model_range(run_.real.train["image"][:sizes["feature_samples"]])
      for k, v in feature_metrics(params, samples, train).items():
        table[name][k].append(v)
  shown = min(3, len(xa))
  rows, labels = [], []
  for p in range(shown):
    for kind, path in (("straight", analysis.straight_path), ("slerp", analysis.slerp_path)):
      rows.append(gan_fn(path(energies["path"][p][0], energies["path"][p][-1], PATH_POINTS)))  # Ends: zA, zB.
      labels.append(f"pair {p} {kind}")
    rows.append(gan_fn(energies["path"][p]))
    labels.append(f"pair {p} optimised")
  plots.class_rows(np.stack([np.asarray(r) for r in rows]), labels,
                   "G along each path, plain GAN seed 0").savefig(figdir / "paths.png")

  # The report.
  ratio = np.asarray(energies["optimised"]) / np.asarray(energies["straight"])
  lines = [f"# Latent geometry: {'quick' if quick else 'full'} study", "",
           f"Command: `python -m launch.reproduce latent_geometry --workdir {workdir}" + (" --quick`" if quick else "`"),
           "", f"configs/mnist_gan.py, {base.train.steps} steps, latent d = {d}, {len(seeds)} seeds per setting. "
           "Images in [-1, 1]; U is in squared-pixel units times latent length (sums over the 784 pixels).", "",
           f"## (c) Inversion: {len(targets)} test digits x {sizes['starts']} starts ({sizes['invert_steps']} Adam "
           "steps, lr 0.05; plain GAN, seed 0)", "",
           f"- Final error (mean squared pixel error of G(z*)): best start {fmt(errors.min(1))}, all starts "
           f"{fmt(errors.ravel())}; worst start per digit {fmt(errors.max(1))}.",
           f"- Distinct minima per digit (single linkage at {DISTINCT_FRACTION} sqrt(d) = {threshold:.2f}): mean "
           f"{minima.mean():.2f}; **{np.mean(minima > 1):.0%} of digits reach more than one minimum** "
           f"(max {minima.max()} of {sizes['starts']}).",
           f"- Between the starts' final codes of one digit: ||z_i - z_j|| {fmt(dz)}, ||G(z_i) - G(z_j)|| "
           f"{fmt(dx)} (pixels, L2).", "",
           "![inversions](figures/inversions.png)", "", "![errors](figures/inversion_errors.png)", "",
           f"## (d) Paths between {len(xa)} pairs of inverted test digits (plain GAN, seed 0)", "",
           "| path | U (4x finer resampling), mean ± s.e. over pairs |", "|---|---|",
           f"| straight line | {fmt(np.asarray(energies['straight']))} |",
           f"| slerp | {fmt(np.asarray(energies['slerp']))} |",
           f"| optimised ({sizes['path_steps']} Adam steps from the straight line, {PATH_POINTS} codes) | "
           f"{fmt(np.asarray(energies['optimised']))} |", "",
           f"Optimised / straight U per pair: {fmt(ratio)}; lower than the straight line on "
           f"{int(np.sum(ratio < 1 - 1e-6))} of {len(ratio)} pairs (never higher: the best path seen is kept).", "",
           "![paths](figures/paths.png)", "",
           "## (e) Training for short paths", "",
           f"Path length: StyleGAN2's penalty, weight {PATH_LENGTH_WEIGHT}; path energy: U of straight paths "
           f"between random code pairs, weight {PATH_ENERGY_WEIGHT}. Mean ± s.e. over seeds of: the mean optimised "
           "and straight U over the pairs (each generator inverts them itself), perceptual path length in the "
           "MNIST classifier's features (slerp, eps 1e-4, 1%-99% trimmed), and Fréchet distance, precision and "
           f"recall in the same features ({sizes['feature_samples']} samples against as many training digits).", "",
           "| setting | optimised U | straight U | PPL | FD | precision | recall | train time |",
           "|---|---|---|---|---|---|---|---|"]
  for name, t in table.items():
    lines.append(f"| {name} | {fmt(t['optimised_u'])} | {fmt(t['straight_u'])} | {fmt(t['ppl'])} | "
                 f"{fmt(t['frechet_distance'])} | {fmt(t['precision'])} | {fmt(t['recall'])} | "
                 f"{runs[name].seconds:.0f} s |")
  lines += ["", common.TRAIN_TIME_NOTE, ""]
  report = common.write_report(workdir, lines)
  return report

