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
    Setting("MAX_TEXT_CHARS", 100_000, "Longest text accepted per item, in characters.", int),
    Setting("MAX_ITEMS", 100, "Most items accepted in one `POST /v1/tag` request.", int),
    Setting("MAX_BODY_BYTES", 5_000_000, "Largest request body accepted, in bytes.", int),
    Setting("TAXONOMY", None, "The current taxonomy file; `/readyz` reports a model trained on "
            "another version of it as stale (default: `labels/taxonomy.toml`)."),
    Setting("FEEDBACK_FILE", "feedback.jsonl", "Where `POST /v1/feedback` appends "
            "editors' corrections (exchange format)."),
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


def default_data() -> Path:
    return default_labels_dir() / "paragraphs.jsonl"


def default_seeds_dir() -> Path:
    return _first_existing(PROJECT_DIR / "seeds", SHARE_DIR / "seeds")


def markdown_table() -> str:
    """The README's settings table, made from SETTINGS so the two cannot drift apart."""
    rows = ["| environment variable | default | what it sets |", "|---|---|---|"]
    for s in SETTINGS:
        default = "—" if s.default is None else f"`{s.default}`"
        rows.append(f"| `{s.env}` | {default} | {s.help} |")
    return "\n".join(rows)
