"""What the launch scripts share: the config flags, quiet logging, and the errors reported in one line."""

import sys

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

# Failures a user can cause and fix: reported in one line, without a traceback.
EXPECTED_ERRORS = (data_lib.DatasetNotFoundError, engine.ConfigMismatchError, engine.CorruptCheckpointError,
                   FloatingPointError, ClassifierError)


def parse_flags(argv: list[str]) -> list[str]:
  """absl flag parsing; a bad `--config.<key>` exits with an error that lists the valid keys."""
  try:
    return flags.FLAGS(argv)
  except (flags.Error, AttributeError, KeyError) as e:
    while e.args and isinstance(e.args[0], Exception):  # config_flags wraps KeyError in AttributeError.
      e = e.args[0]
    message = f"FATAL flags parsing error: {e.args[0] if isinstance(e, KeyError) else e}"
    # Load the config without the overrides (config_flags reads them from sys.argv) to list its keys.
    sys.argv = [a for a in argv if not a.startswith("--config.")]
    flags.FLAGS.unparse_flags()
    flags.FLAGS(sys.argv)
    sys.exit(f"{message}\nValid config keys (override with --config.<key>=<value>):\n  " +
             "\n  ".join(config_keys(flags.FLAGS["config"].value)))


def quiet_logging() -> None:
  if not flags.FLAGS["verbosity"].present:
    logging.set_verbosity(logging.WARNING)  # Orbax logs every save at INFO.
