"""Flax linen modules. No losses, no optimizers."""

from jaxgen.nn.dcgan import DCGANDiscriminator, DCGANGenerator
from jaxgen.nn.layers import MinibatchDiscrimination
from jaxgen.nn.mlp import MLPCritic, MLPGenerator

__all__ = [
    "DCGANDiscriminator",
    "DCGANGenerator",
    "MLPCritic",
    "MLPGenerator",
    "MinibatchDiscrimination",
]
