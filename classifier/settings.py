"""Every setting of the tagger in one table: the source of defaults, environment names and docs."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
# Where `pip install .` puts the shipped model and labels (see [tool.setuptools.data-files]).
SHARE_DIR = Path(sys.prefix) / "share" / "union-tagger"


@dataclass(frozen=True)
class Setting:
    name: str
    default: object
    help: str
    kind: type = str

    @property
    def env(self) -> str:
        return f"TAGGER_{self.name}"


SETTINGS: tuple[Setting, ...] = (
    Setting("MODEL_DIR", None, "Model artifact directory to serve and tag with "
            "(default: `models/current` of the checkout or of the installed data)."),
    Setting("ADMIN_TOKEN", None, "Bearer token for `POST /v1/admin/reload`; "
            "the admin endpoint is disabled when unset."),
    Setting("MAX_TEXT_CHARS", 100_000, "Longest text accepted per `POST /v1/tag` item and per "
            "correction, in characters; also the longest labelled text `tagger train` and "
            "`tagger data check` accept.", int),
    Setting("MAX_ITEMS", 100, "Most items accepted in one `POST /v1/tag` request.", int),
    Setting("MAX_BODY_BYTES", 5_000_000, "Largest request body accepted, in bytes, with or "
            "without `Content-Length`.", int),
    Setting("MAX_TOTAL_CHARS", 100_000, "Most characters in one `POST /v1/tag` request, all "
            "items together; half as many with `explain`. Bounds a request to about a second "
            "of CPU.", int),
    Setting("MAX_RECORD_CHARS", 100_000, "Longest text of one `tagger tag` input record, in "
            "characters; a longer one is an error record and the run goes on. A JSONL line, CSV "
            "row or text file is read only up to 8 bytes per character of it, so a huge or "
            "endless input costs no more memory than that.", int),
    Setting("HEADER_TIMEOUT", 10, "Seconds a connection has to send a request's line and "
            "headers, or may stay idle between requests, before it is closed.", int),
    Setting("BODY_TIMEOUT", 30, "Seconds a client has to send a request's body; then it gets "
            "408 and the connection is closed.", int),
    Setting("TAXONOMY", None, "The current taxonomy file; `/readyz` reports a model trained on "
            "another version of it as stale (default: `labels/taxonomy.toml`)."),
    Setting("FEEDBACK_FILE", "feedback.jsonl", "Where `POST /v1/feedback` appends "
            "editors' corrections (exchange format)."),
    Setting("FEEDBACK_TOKEN", None, "Bearer token that `POST /v1/feedback` requires; "
            "anyone may send corrections when unset."),
    Setting("LOG_LEVEL", "INFO", "Log level of the service and the CLI."),
)
_BY_NAME = {s.name: s for s in SETTINGS}


def get(name: str, environ=None):
    """Value of a setting: the ``TAGGER_<NAME>`` environment variable, else its default."""
    setting = _BY_NAME[name]
    raw = (os.environ if environ is None else environ).get(setting.env)
    if raw is None or raw == "":
        return setting.default
    return setting.kind(raw)


def _first_existing(*candidates: Path) -> Path:
    for path in candidates:
        if path.exists():
            return path
    return candidates[0]


def default_models_dir() -> Path:
    """The ``models/`` folder of a checkout, or of the installed data when there is none."""
    return _first_existing(PROJECT_DIR / "models", SHARE_DIR / "models")


def default_model_dir(environ=None) -> Path:
    configured = get("MODEL_DIR", environ)
    return Path(configured) if configured else default_models_dir() / "current"


def default_labels_dir() -> Path:
    return _first_existing(PROJECT_DIR / "labels", SHARE_DIR / "labels")


def default_taxonomy() -> Path:
    return default_labels_dir() / "taxonomy.toml"


def default_data() -> list[Path]:
    """Every labelled file: the seeds' labels first, then the written union and general news."""
    labels = default_labels_dir()
    seeds = labels / "paragraphs.jsonl"
    return [seeds] + sorted(p for p in labels.glob("*.jsonl") if p != seeds)


def default_seeds_dir() -> Path:
    return _first_existing(PROJECT_DIR / "seeds", SHARE_DIR / "seeds")


def markdown_table() -> str:
    """The README's settings table, made from SETTINGS so the two cannot drift apart."""
    rows = ["| environment variable | default | what it sets |", "|---|---|---|"]
    for s in SETTINGS:
        default = "—" if s.default is None else f"`{s.default}`"
        rows.append(f"| `{s.env}` | {default} | {s.help} |")
    return "\n".join(rows)
