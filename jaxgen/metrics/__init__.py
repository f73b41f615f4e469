"""Evaluation as pure functions of arrays: pixel and classifier-feature distances, mode and letter coverage,
collapse onset, drum patterns, posterior collapse."""

from jaxgen.metrics.classifier import (Classifier, ClassifierError, channel_features, channel_labels,
                                       load_classifier, train_classifier)
from jaxgen.metrics.drums import (diversity, style_accuracy, style_predictions, train_style_classifier,
                                  validity)
from jaxgen.metrics.features import classifier_frechet_distance, feature_metrics, precision_recall
from jaxgen.metrics.letters import letter_coverage, missing_letters
from jaxgen.metrics.series import collapse_onset, lost_steps
from jaxgen.metrics.images import (class_histogram, frechet_distance, gaussian_frechet_distance,
                                   nearest_neighbour_labels, sample_quality)
from jaxgen.metrics.modes import histogram_coverage, mixture_coverage, stacked_mnist_coverage
from jaxgen.metrics.vae import active_units, mutual_information, posterior_collapse

__all__ = ["Classifier", "ClassifierError", "channel_features", "channel_labels", "class_histogram",
           "classifier_frechet_distance", "feature_metrics", "frechet_distance", "gaussian_frechet_distance",
           "histogram_coverage", "load_classifier", "mixture_coverage", "nearest_neighbour_labels",
           "precision_recall", "sample_quality", "stacked_mnist_coverage", "train_classifier",
           "diversity", "style_accuracy", "style_predictions", "train_style_classifier", "validity"]
__all__ += ["active_units", "mutual_information", "posterior_collapse"]
__all__ += ["collapse_onset", "letter_coverage", "lost_steps", "missing_letters"]
