"""Flax linen modules. No losses, no optimizers."""

from jaxgen.nn.mlp import MLPCritic, MLPGenerator

__all__ = ["MLPCritic", "MLPGenerator"]
