"""Configuration: the settings table's defaults, then TAGGER_* environment, then a mapping."""

from __future__ import annotations

import pytest

from classifier import settings
from service.config import load


def test_defaults_come_from_the_settings_table():
    config = load(environ={})
    for setting in settings.SETTINGS:
        if setting.name != "MODEL_DIR":
            assert config[setting.name] == setting.default
    assert config["MODEL_DIR"] == str(settings.default_model_dir({}))


def test_environment_overrides_defaults():
    config = load(environ={"TAGGER_MAX_ITEMS": "7", "TAGGER_MODEL_DIR": "/srv/model",
                           "TAGGER_ADMIN_TOKEN": "t"})
    assert config["MAX_ITEMS"] == 7
    assert (config["MODEL_DIR"], config["ADMIN_TOKEN"]) == ("/srv/model", "t")


def test_mapping_overrides_environment():
    config = load({"MAX_ITEMS": 3, "ADMIN_TOKEN": None},
                  environ={"TAGGER_MAX_ITEMS": "7", "TAGGER_ADMIN_TOKEN": "t"})
    assert (config["MAX_ITEMS"], config["ADMIN_TOKEN"]) == (3, None)


def test_mapping_values_take_the_setting_type():
    assert load({"MAX_TEXT_CHARS": "500"}, environ={})["MAX_TEXT_CHARS"] == 500


def test_model_dir_may_be_a_path(tmp_path):
    assert load({"MODEL_DIR": tmp_path}, environ={})["MODEL_DIR"] == str(tmp_path)


def test_other_keys_pass_through():
    assert load({"TESTING": True}, environ={})["TESTING"] is True


def test_empty_environment_variable_means_default():
    assert load(environ={"TAGGER_MAX_ITEMS": ""})["MAX_ITEMS"] == 100


@pytest.mark.parametrize(("config", "environ", "named"), [
    ({}, {"TAGGER_MAX_ITEMS": "many"}, "TAGGER_MAX_ITEMS"),
    ({}, {"TAGGER_MAX_BODY_BYTES": "0"}, "TAGGER_MAX_BODY_BYTES"),
    ({"MAX_TEXT_CHARS": -1}, {}, "MAX_TEXT_CHARS"),
    ({"MAX_ITEMS": None}, {}, "MAX_ITEMS"),
])
def test_bad_limit_is_refused_naming_where_it_came_from(config, environ, named):
    with pytest.raises(ValueError, match=f"^{named}: "):
        load(config, environ)
