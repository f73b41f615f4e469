"""Post-hoc work on trained models: projections of latent codes (and, next, inversion and latent paths)."""

from jaxgen.analysis.projection import pca

__all__ = ["pca"]
