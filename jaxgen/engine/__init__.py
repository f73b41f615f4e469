"""Method-agnostic training driver: scan, jit, checkpoint, log, resume."""

from jaxgen.engine.checkpoint import CorruptCheckpointError
from jaxgen.engine.loop import train
from jaxgen.engine.workdir import ConfigMismatchError

__all__ = ["ConfigMismatchError", "CorruptCheckpointError", "train"]
