"""The installed ``tagger`` console script, run as a real process: the other CLI tests call
``main(argv)`` in the test process, so these check what only the script does (exit status,
real stdin and stdout)."""

from __future__ import annotations

import json
import os

from conftest import run_tagger, tagger

COMMANDS = ["data", "train", "evaluate", "serve", "tag", "report", "suggest", "labelstudio"]
STATION = "市总工会在城区建成24个工会驿站，为环卫工人、快递员提供饮水、热饭、休息和手机充电。"


def test_help_lists_every_command():
    result = run_tagger("--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: tagger ")
    assert all(f"    {command} " in result.stdout for command in COMMANDS), result.stdout


def test_a_usage_error_exits_with_status_2():
    result = run_tagger("tag")
    assert result.returncode == 2
    assert "tagger tag: error: the following arguments are required: INPUT" in result.stderr


def test_tag_reads_stdin_and_writes_stdout(model_dir):
    line = json.dumps({"id": "s1", "text": STATION}, ensure_ascii=False) + "\n"
    result = run_tagger("tag", "-", "--model", model_dir, input=line)
    assert result.returncode == 0, result.stderr
    [record] = [json.loads(x) for x in result.stdout.splitlines()]
    assert record["id"] == "s1" and record["model_version"] == model_dir.name
    assert "worker_station" in {t["id"] for t in record["themes"]}
    assert "records: 1   errors: 0" in result.stderr


def test_version_names_the_installed_package():
    from importlib.metadata import version

    result = tagger("--version")
    assert (result.returncode, result.stdout.strip()) == (0, f"tagger {version('union-tagger')}")


def test_shell_completion_offers_the_subcommands(tmp_path):
    line = "tagger ta"
    env = {**os.environ, "_ARGCOMPLETE": "1", "COMP_LINE": line, "COMP_POINT": str(len(line)),
           "_ARGCOMPLETE_STDOUT_FILENAME": str(tmp_path / "candidates")}
    result = run_tagger(env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "candidates").read_text().split() == ["tag"]  # "tag " in bash
