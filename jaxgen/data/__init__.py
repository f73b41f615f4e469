"""Datasets (TFDS array_record, read with `tfds.data_source`) and on-device batching."""

from jaxgen.data.loading import DATASETS, DatasetNotFoundError, load
from jaxgen.data.device import random_batch, to_model_range

__all__ = ["DATASETS", "DatasetNotFoundError", "load", "random_batch", "to_model_range"]
