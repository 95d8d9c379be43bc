"""Batch tagging: the job, record readers, output writers and destination, worker pools,
output reports."""
