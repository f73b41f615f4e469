"""Post-hoc work on trained models: projections of latent codes, GAN inversion, minimum-energy latent paths."""

from jaxgen.analysis.inversion import distinct_minima, invert
from jaxgen.analysis.paths import optimize_path, path_energy, resample, slerp_path, straight_path
from jaxgen.analysis.projection import pca

__all__ = ["distinct_minima", "invert", "optimize_path", "path_energy", "pca", "resample", "slerp_path",
           "straight_path"]
