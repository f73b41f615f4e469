"""Datasets (TFDS array_record, read with `tfds.data_source`) and on-device batching."""

from jaxgen.data.loading import DATASETS, DatasetNotFoundError, load
from jaxgen.data.device import (labelled_batch, pattern_batch, patterns_to_model_range, random_batch, stacked_batch,
                                stacked_examples, to_model_range)
from jaxgen.data.drums import (BARS, GM_NOTES, GM_TO_INSTRUMENT, INSTRUMENTS, STEPS, STYLES, generate_patterns,
                               load_midi_folder, midi_to_patterns, pattern_to_midi, style_pattern)
from jaxgen.data.letters import LETTERS, generate_letters

__all__ = ["BARS", "DATASETS", "DatasetNotFoundError", "GM_NOTES", "GM_TO_INSTRUMENT", "INSTRUMENTS", "LETTERS", "STEPS", "STYLES",
           "generate_letters", "generate_patterns", "labelled_batch", "load", "load_midi_folder", "midi_to_patterns", "pattern_batch", "pattern_to_midi", "patterns_to_model_range",
           "random_batch", "stacked_batch", "stacked_examples", "style_pattern", "to_model_range"]
