"""The ``tagger`` command: a thin layer of argument handling over the library."""

from classifier.cli.main import build_parser, main

__all__ = ["build_parser", "main"]
