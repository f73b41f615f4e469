"""What the launch scripts share: the config flags, quiet logging, and the errors reported in one line."""

import os
import sys

import jax
from absl import app
from absl import flags
from absl import logging
from ml_collections import config_flags

from jaxgen import data as data_lib
from jaxgen import engine
from jaxgen.engine.workdir import config_keys
from jaxgen.metrics.classifier import ClassifierError

CONFIG = config_flags.DEFINE_config_file("config", None, "Experiment config file (configs/*.py[:arg]).",
                                         lock_config=True)
WORKDIR = flags.DEFINE_string("workdir", None, "Run directory; an existing run there is resumed.")
FRESH = flags.DEFINE_bool("fresh", False, "Move an existing run in --workdir aside and start over.")
# Multi-host training (jaxgen.engine.mesh): one command per host, all with the same flags but the process id.
COORDINATOR = flags.DEFINE_string("coordinator_address", os.environ.get("JAX_COORDINATOR_ADDRESS", ""),
                                  "host:port of process 0, for jax.distributed.initialize ($JAX_COORDINATOR_ADDRESS)")
NUM_PROCESSES = flags.DEFINE_integer("num_processes", int(os.environ.get("JAX_NUM_PROCESSES", "1")),
                                     "Processes (hosts) in all ($JAX_NUM_PROCESSES).")
PROCESS_ID = flags.DEFINE_integer("process_id", int(os.environ.get("JAX_PROCESS_ID", "0")),
                                  "This process's index, 0 .. num_processes - 1 ($JAX_PROCESS_ID).")
DISTRIBUTED = flags.DEFINE_bool("distributed", False, "jax.distributed.initialize() from the cluster's own "
                                "environment (SLURM, a Cloud TPU slice, ...), without the three flags above.")

# Failures a user can cause and fix (a bad value, file or folder, a full disk, a busy workdir, a dataset not
# prepared, a diverged run): the command ends with one line on stderr and exit code 1, no traceback.
EXPECTED_ERRORS = (ValueError, OSError, data_lib.DatasetNotFoundError, engine.ConfigMismatchError,
                   engine.CorruptCheckpointError, engine.CorruptWorkdirError, engine.WorkdirInUseError,
                   FloatingPointError, ClassifierError)


def _fatal(e: BaseException, extra: str = "", prefix: str = "") -> None:
  """Exits with status 1 and 'FATAL <type>: <prefix><message>' on stderr: one line (two with `extra`)."""
  while e.args and isinstance(e.args[0], BaseException):  # config_flags wraps errors in errors.
    e = e.args[0]
  message = str(e.args[0] if isinstance(e, KeyError) and e.args else e)
  if "Traceback (most recent call last)" in message:  # A config file's get_config raised: keep its last line.
    message = message.split("Traceback")[0] + message.strip().splitlines()[-1]
  sys.exit(f"FATAL {type(e).__name__}: {prefix}{' '.join(message.split())}{extra}")


def parse_flags(argv: list[str]) -> list[str]:
  """absl flag parsing; a bad flag, config file or `--config.<key>` exits with one line (an unknown key: and a
  second line that lists the valid keys)."""
  try:
    return flags.FLAGS(argv)
  except Exception as e:  # pylint: disable=broad-except  # A config file may raise anything on load.
    error = e
    if any(a.split("=")[0] in ("--verbosity", "-v") for a in argv[1:]):  # Asked for the traceback.
      raise
  # Load the config without the overrides (config_flags reads them from sys.argv) to list its keys.
  sys.argv = [a for a in argv if not a.startswith("--config.")]
  try:
    flags.FLAGS.unparse_flags()
    flags.FLAGS(sys.argv)
    keys = config_keys(flags.FLAGS["config"].value)
  except Exception:  # pylint: disable=broad-except  # The error is not in an override: say it alone.
    _fatal(error)
  overrides = [a[len("--config."):].split("=")[0] for a in argv if a.startswith("--config.")]
  unknown = [k for k in overrides if k not in keys]
  _fatal(error, "\nValid config keys (override with --config.<key>=<value>): " + ", ".join(keys),
         prefix=f"unknown config key {', '.join(unknown)}: " if unknown else "")


def initialize_distributed() -> None:
  """`jax.distributed.initialize` before anything touches a device, when the flags (or their environment
  variables) name a coordinator, or with --distributed; nothing for a single process."""
  if COORDINATOR.value:
    jax.distributed.initialize(COORDINATOR.value, NUM_PROCESSES.value, PROCESS_ID.value)
  elif DISTRIBUTED.value:
    jax.distributed.initialize()
  elif NUM_PROCESSES.value > 1:
    raise ValueError(f"--num_processes={NUM_PROCESSES.value} needs --coordinator_address (host:port of process 0)")


def run(main) -> None:
  """`absl.app.run(main)` with `parse_flags`; an `EXPECTED_ERRORS` error ends the command in one line on stderr
  (exit code 1), with the traceback only under --verbosity=1. Multi-host runs are initialised first."""
  def main_or_one_line(argv):
    try:
      initialize_distributed()
      return main(argv)
    except EXPECTED_ERRORS as e:
      if flags.FLAGS.verbosity >= 1:
        raise
      _fatal(e)

  app.run(main_or_one_line, flags_parser=parse_flags)


def quiet_logging() -> None:
  if not flags.FLAGS["verbosity"].present:
    logging.set_verbosity(logging.WARNING)  # Orbax logs every save at INFO.
