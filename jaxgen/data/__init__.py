"""Datasets (TFDS array_record, read with `tfds.data_source`) and on-device batching."""

from jaxgen.data.loading import DATASETS, DatasetNotFoundError, load
from jaxgen.data.device import random_batch, stacked_batch, stacked_examples, to_model_range

__all__ = ["DATASETS", "DatasetNotFoundError", "load", "random_batch", "stacked_batch",
           "stacked_examples", "to_model_range"]
