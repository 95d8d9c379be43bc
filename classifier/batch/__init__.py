"""Batch tagging: the job, record readers and writers, worker pools, output reports."""
