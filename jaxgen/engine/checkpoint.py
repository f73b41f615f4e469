"""Orbax checkpoints of a method's whole state pytree, in `workdir/checkpoints`."""

import pathlib

import jax
import orbax.checkpoint as ocp


class CorruptCheckpointError(RuntimeError):
  """A checkpoint exists but cannot be restored into the method's state."""


def manager(workdir: pathlib.Path, keep: int) -> ocp.CheckpointManager:
  """A CheckpointManager keeping the newest `keep` steps.

  Saves are synchronous: the engine donates the state's buffers to the next
  jitted call, so they must be on disk before it runs.
  """
  options = ocp.CheckpointManagerOptions(max_to_keep=keep, enable_async_checkpointing=False, create=True)
  return ocp.CheckpointManager((workdir / "checkpoints").absolute(), options=options)


def save(mngr: ocp.CheckpointManager, step: int, state) -> None:
  """Saves `state` as checkpoint `step` (a no-op if that step is saved already)."""
  if step not in mngr.all_steps():
    mngr.save(step, args=ocp.args.StandardSave(state))


def restore(mngr: ocp.CheckpointManager, step: int, like):
  """Restores checkpoint `step` with the structure, shapes and dtypes of `like`.

  Raises:
    CorruptCheckpointError: naming the folder, when the checkpoint is
      unreadable or does not match the method's state (e.g. another model).
      Nothing is deleted.
  """
  abstract = jax.tree.map(ocp.utils.to_shape_dtype_struct, like)
  try:
    return mngr.restore(step, args=ocp.args.StandardRestore(abstract))
  except Exception as e:  # pylint: disable=broad-except  # Orbax raises many kinds here.
    folder = pathlib.Path(mngr.directory) / str(step)
    raise CorruptCheckpointError(
        f"cannot restore checkpoint {folder}: {type(e).__name__}: {e}\n"
        f"Saved steps: {mngr.all_steps()}. Move that folder aside to resume from an earlier "
        "step, or pass --fresh to start over (the old run is kept)."
    ) from e
