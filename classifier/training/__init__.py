"""Learning from labelled data: fitting, thresholds, cross-validation, curves, the report,
and the model-driven helpers of the labelling loop (suspects, suggestions)."""
