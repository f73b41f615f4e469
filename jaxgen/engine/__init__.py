"""Method-agnostic training driver: scan, jit, checkpoint, log, resume."""

from jaxgen.engine.checkpoint import CorruptCheckpointError
from jaxgen.engine.loop import train
from jaxgen.engine.workdir import ConfigMismatchError, CorruptWorkdirError, WorkdirInUseError

__all__ = ["ConfigMismatchError", "CorruptCheckpointError", "CorruptWorkdirError", "WorkdirInUseError", "train"]
