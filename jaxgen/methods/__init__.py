"""Training methods, each a `Method` of pure init/step/sample functions."""

from jaxgen.methods import acgan, gan, hvae, vae
from jaxgen.methods.base import Method

# config.method.name -> make(config, sample_real) -> Method
METHODS = {"gan": gan.make, "acgan": acgan.make, "vae": vae.make, "hvae": hvae.make}

__all__ = ["METHODS", "Method"]
