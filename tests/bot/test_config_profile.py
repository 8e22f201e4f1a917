"""Every profile number the storage keeps is a checked setting of a Kampung KB."""

from __future__ import annotations

from bot.config import KampungSettings
from storage import PROFILE_KEYS


def test_config_declares_every_profile_number() -> None:
    for key in PROFILE_KEYS:
        field = KampungSettings.model_fields[key]
        assert field.annotation is int and field.default == 0, key
