"""Evaluation as pure functions of arrays."""

from jaxgen.metrics.images import (class_histogram, frechet_distance, gaussian_frechet_distance,
                                   nearest_neighbour_labels, sample_quality)

__all__ = ["class_histogram", "frechet_distance", "gaussian_frechet_distance",
           "nearest_neighbour_labels", "sample_quality"]
