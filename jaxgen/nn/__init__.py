"""Flax linen modules. No losses, no optimizers."""

from jaxgen.nn.dcgan import DCGANCritic, DCGANGenerator
from jaxgen.nn.layers import MinibatchDiscrimination
from jaxgen.nn import sequence
from jaxgen.nn.mlp import MLPCritic, MLPGenerator
from jaxgen.nn import vae
from jaxgen.nn.sequence import CausalTransformer, ForgetGateLSTMCell, TransformerSequenceDecoder
from jaxgen.nn.vae import (ConvDecoder, ConvEncoder, DrumDecoder, DrumEncoder, GaussianMLP, HierarchicalDrumVAE,
                           MLPDecoder)

__all__ = [
    "ConvDecoder",
    "ConvEncoder",
    "DrumDecoder",
    "DrumEncoder",
    "GaussianMLP",
    "HierarchicalDrumVAE",
    "MLPDecoder",
    "DCGANCritic",
    "DCGANGenerator",
    "MLPCritic",
    "MLPGenerator",
    "MinibatchDiscrimination",
    "CausalTransformer",
    "ForgetGateLSTMCell",
    "TransformerSequenceDecoder",
]
