"""The README stays honest: every setting and every subcommand is documented."""

from __future__ import annotations

import argparse

from conftest import REPO

from classifier import settings
from classifier.cli.main import build_parser

README = (REPO / "README.md").read_text(encoding="utf-8")


def _subcommands(parser: argparse.ArgumentParser, prefix: str = "tagger") -> list[str]:
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.append(f"{prefix} {name}")
                found += _subcommands(sub, f"{prefix} {name}")
    return found


def test_readme_opens_with_the_two_setup_commands():
    first_block = README.split("```")[1]
    assert "make serve" in first_block and "make test" in first_block


def test_readme_has_the_settings_table():
    assert settings.markdown_table() in README


def test_readme_documents_every_subcommand():
    commands = _subcommands(build_parser())
    assert "tagger data check" in commands and "tagger tag" in commands
    missing = [c for c in commands if f"`{c}" not in README]
    assert not missing, missing


def test_readme_names_every_exit_status_in_one_place():
    [statuses] = [p for p in README.split("\n\n") if p.startswith("Exit statuses")]
    assert all(f"**{status}**" in statuses for status in (0, 1, 2, 3)), statuses
    assert "usage error" in statuses and "error records" in statuses
    assert "exits 1 on bad input" not in README


def test_readme_says_how_to_enable_shell_completion():
    assert 'eval "$(register-python-argcomplete tagger)"' in README
