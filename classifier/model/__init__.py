"""Inference: text, segmentation, features, the fitted model and its results.

Nothing here imports scikit-learn, ``classifier.training`` or ``classifier.batch``.
"""
