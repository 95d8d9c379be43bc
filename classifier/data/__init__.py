"""Labelled data: the taxonomy, the exchange format and its checks, Label Studio."""
