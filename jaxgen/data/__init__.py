"""Datasets (TFDS array_record, read with `tfds.data_source`) and on-device batching."""

from jaxgen.data.loading import DATASETS, DatasetNotFoundError, load
from jaxgen.data.device import (pattern_batch, patterns_to_model_range, random_batch, stacked_batch,
                                stacked_examples, to_model_range)
from jaxgen.data.drums import (GM_NOTES, GM_TO_INSTRUMENT, INSTRUMENTS, STEPS, STYLES, generate_patterns,
                               load_midi_folder, midi_to_patterns, pattern_to_midi, style_pattern)

__all__ = ["DATASETS", "DatasetNotFoundError", "GM_NOTES", "GM_TO_INSTRUMENT", "INSTRUMENTS", "STEPS", "STYLES",
           "generate_patterns", "load", "load_midi_folder", "midi_to_patterns", "pattern_batch", "pattern_to_midi", "patterns_to_model_range",
           "random_batch", "stacked_batch", "stacked_examples", "style_pattern", "to_model_range"]
