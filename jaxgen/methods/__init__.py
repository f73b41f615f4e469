"""Training methods, each a `Method` of pure init/step/sample functions."""

from jaxgen.methods import gan
from jaxgen.methods.base import Method

# config.method.name -> make(config, sample_real) -> Method
METHODS = {"gan": gan.make}

__all__ = ["METHODS", "Method"]
