"""Inference: text, segmentation, features, the fitted model and its results."""
