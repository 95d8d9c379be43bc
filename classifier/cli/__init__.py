# PYTHON_ARGCOMPLETE_OK (argcomplete's global completion looks for it in the entry point's module)
"""The ``tagger`` command: a thin layer of argument handling over the library."""

from classifier.cli.main import build_parser, main

__all__ = ["build_parser", "main"]
