"""Training methods, each a `Method` of pure init/step/sample functions, and the registry that builds them."""

import ml_collections

from jaxgen.data.real import RealData
from jaxgen.methods import acgan, ddpm, gan, hvae, vae
from jaxgen.methods.base import CAPABILITIES, Method, has_capability

# config.method.name -> make(config, sample_real) -> Method
METHODS = {"gan": gan.make, "acgan": acgan.make, "vae": vae.make, "hvae": hvae.make, "ddpm": ddpm.make}
# config.method.name -> (config, RealData) -> the sampler the method trains on; default `RealData.sample`.
SAMPLERS = {"acgan": acgan.labelled_sampler}


def build(config: ml_collections.ConfigDict, real: RealData) -> Method:
  """The method `config.method.name` training on `real` (AC-GAN on its labelled sampler).

  Raises:
    ValueError: an unknown method name, or the method's own checks of the
      config and the data.
  """
  name = config.method.name
  if name not in METHODS:
    raise ValueError(f"config.method.name={name!r}; choose one of {sorted(METHODS)}")
  sampler = SAMPLERS.get(name, lambda _, r: r.sample)(config, real)
  return METHODS[name](config, sampler)


__all__ = ["CAPABILITIES", "METHODS", "Method", "build", "has_capability"]
