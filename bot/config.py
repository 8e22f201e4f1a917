"""`config.toml` read into typed, frozen settings and checked before anything starts.

Every problem becomes one ConfigError whose message names the key, e.g.
`kampung[0].unit[2].kind: must be one of posyandu, bkb, ...`.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from handlers.forms import POKJA_SLUG, UNIT_KINDS
from handlers.meetings import MeetingRuleError, parse_meeting_rule
from handlers.reminders import final_recap_day
from storage import PROFILE_KEYS, KampungSeed, UnitSeed

DEFAULT_TELEGRAM_API = "https://api.telegram.org"
# A Kampung KB's profile numbers (families, teenagers, PUS) are far below this.
PROFILE_MAX = 1_000_000


class ConfigError(Exception):
    """A bad or missing setting; the message names the key."""


def _meeting_rule(value: str) -> str:
    try:
        parse_meeting_rule(value)
    except MeetingRuleError as error:
        raise ValueError(str(error)) from None
    return value


def _unit_kind(value: str) -> str:
    if value not in UNIT_KINDS:  # the kinds the form specs report with
        raise ValueError(f"{value!r} is not allowed; use one of {', '.join(UNIT_KINDS)}")
    return value


def _timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {value!r} (use an IANA name such as Asia/Jakarta, "
            "Asia/Makassar or Asia/Jayapura)"
        ) from None
    return value


def _slug(value: str) -> str:
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,63}", value):
        raise ValueError(f"{value!r} is not a slug (lower-case letters, digits and '-')")
    return value


def _require_unique(what: str, slugs: list[str]) -> None:
    seen: set[str] = set()
    for slug in slugs:
        if slug in seen:
            raise ValueError(f"{what} slug {slug!r} appears twice")
        seen.add(slug)


def _http_url(value: str) -> str:
    if not re.match(r"https?://[^/\s]+", value):
        raise ValueError(f"{value!r} is not an http(s) URL")
    return value.rstrip("/")


_HOST = re.compile(r"\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+")


def _host_port(value: str) -> str:
    host, _, port = value.rpartition(":")
    valid_port = port.isascii() and port.isdigit() and int(port) < 65536
    if not (_HOST.fullmatch(host) and valid_port):
        raise ValueError(
            f"{value!r} is not host:port (e.g. 127.0.0.1:8443, [::1]:8443; port 0 picks a free one)"
        )
    return value


def _kode_wilayah(value: str) -> str:
    # The Kemendagri code of the desa/kelurahan: "33.74.14.1004" or "3374141004".
    if not (len(value) <= 20 and re.fullmatch(r"\d+(\.\d+)*", value)):
        raise ValueError(
            f"{value!r} is not a kode wilayah (digits, optionally split by dots, e.g. "
            "33.74.14.1004; at most 20 characters)"
        )
    return value


def _register_code(value: str) -> str:
    # A poktan's code or register number as SIGA or the PLKB writes it: "BKB.01", "12/III".
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9./ -]{0,31}", value):
        raise ValueError(
            f"{value!r} is not a register code (letters, digits, '.', '/', '-' and spaces; "
            "at most 32 characters, starting with a letter or digit)"
        )
    return value


HostPort = Annotated[str, AfterValidator(_host_port)]
HttpUrlText = Annotated[str, AfterValidator(_http_url)]
MeetingRuleText = Annotated[str, AfterValidator(_meeting_rule)]
Slug = Annotated[str, AfterValidator(_slug)]
KodeWilayah = Annotated[str, AfterValidator(_kode_wilayah)]
RegisterCode = Annotated[str, AfterValidator(_register_code)]


class _Settings(BaseModel):
    # Strict: TOML has real types, so `pus = true` or `pus = "5"` is a mistake to report,
    # not a number to guess (lax pydantic would read them as 1 and 5).
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


class DatabaseSettings(_Settings):
    url: str = "sqlite:///kaderbot.db"

    @field_validator("url")
    @classmethod
    def _readable_url(cls, value: str) -> str:
        try:
            parsed = make_url(value)
        except ArgumentError:
            raise ValueError(f"cannot read database URL {value!r}") from None
        if parsed.get_backend_name() not in ("sqlite", "postgresql"):
            raise ValueError("only sqlite:/// and postgresql:// URLs are supported")
        return value


class TelegramSettings(_Settings):
    token: str | None = None  # for local testing only; deployments use token_env
    token_env: str = "TELEGRAM_BOT_TOKEN"
    api_base_url: HttpUrlText = DEFAULT_TELEGRAM_API
    bot_username: str | None = None
    webhook_url: str | None = None
    webhook_listen: HostPort = "127.0.0.1:8443"
    webhook_secret_env: str = "TELEGRAM_WEBHOOK_SECRET"
    # GET /metrics on a listener of its own (polling mode has no web server; the webhook
    # servers answer /metrics themselves).
    metrics_listen: HostPort | None = None


class WhatsAppTemplates(_Settings):
    """Names of approved utility templates, for messages outside the 24-hour window.

    `recap`: body with {{1}} the Kampung KB (or kecamatan) and {{2}} the month, saying the
    recap is ready and to reply to receive it. `reminder`: body {{1}}, the reminder text
    (also the status of last month and the missing list, on one line).
    """

    recap: str = "kaderbot_rekap"
    reminder: str = "kaderbot_pengingat"
    language: str = "id"


class WhatsAppSettings(_Settings):
    listen: HostPort = "127.0.0.1:8080"
    webhook_path: str = "/whatsapp"
    phone_number_id: str = Field(min_length=1)
    token_env: str = "WHATSAPP_TOKEN"
    app_secret_env: str = "WHATSAPP_APP_SECRET"
    verify_token_env: str = "WHATSAPP_VERIFY_TOKEN"
    api_base_url: HttpUrlText = "https://graph.facebook.com/v23.0"
    templates: WhatsAppTemplates = WhatsAppTemplates()

    @field_validator("webhook_path")
    @classmethod
    def _path(cls, value: str) -> str:
        if not value.startswith("/"):
            raise ValueError("must start with /")
        return value

    def secrets(self) -> tuple[str, str, str]:
        """(access token, app secret, verify token) from the environment, or ConfigError."""
        found = []
        for key, env in (
            ("token_env", self.token_env),
            ("app_secret_env", self.app_secret_env),
            ("verify_token_env", self.verify_token_env),
        ):
            value = os.environ.get(env)
            if not value:
                raise ConfigError(
                    f"whatsapp.{key}: the environment variable {env} is not set "
                    "(WhatsApp needs its access token, app secret and verify token)"
                )
            found.append(value)
        return found[0], found[1], found[2]


class ScheduleSettings(_Settings):
    """Days of the month, in each Kampung KB's zone (see handlers/reminders.py)."""

    recap_day: int = Field(default=1, ge=1, le=28)  # the status, when before the final recap
    recap_time: str = "07:00"
    reminder_days_before: tuple[Annotated[int, Field(ge=1, le=28)], ...] = (1,)
    report_deadline_day: int = Field(default=3, ge=1, le=28)
    final_recap_day: int | None = Field(default=None, ge=1, le=28)  # None: after the deadline

    @property
    def final_day(self) -> int:
        return final_recap_day(self.recap_day, self.report_deadline_day, self.final_recap_day)

    @model_validator(mode="after")
    def _final_after_deadline(self) -> ScheduleSettings:
        # A final recap on or before the deadline would not count the reports still due.
        deadline, final = self.report_deadline_day, self.final_day
        if self.final_recap_day is None and final > 28:
            raise ValueError(
                f"schedule.report_deadline_day: day {deadline} leaves no day of the month "
                "(1-28) for the final recap after it; set schedule.report_deadline_day "
                "earlier, so that schedule.final_recap_day can follow it"
            )
        if final <= deadline:
            raise ValueError(
                f"schedule.final_recap_day: day {final} is not after "
                f"schedule.report_deadline_day (day {deadline}); the final recap must come "
                "after the deadline to count every report due "
                f"(e.g. final_recap_day = {deadline + 1})"
            )
        if self.recap_day > final:
            raise ValueError(
                f"schedule.recap_day: the status on day {self.recap_day} would come after "
                f"schedule.final_recap_day (day {final}); set recap_day before it, or equal "
                "to it for no status"
            )
        return self

    # Days the ketua's Buka reopens a locked month for a kader, after the day it is pressed.
    unlock_days: int = Field(default=2, ge=1, le=31)

    @field_validator("recap_time")
    @classmethod
    def _clock_time(cls, value: str) -> str:
        if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
            raise ValueError(f"{value!r} is not a time of day as HH:MM")
        return value


def _not_reserved(value: str) -> str:
    if value == POKJA_SLUG:  # every Kampung KB's own unit for kegiatan, made by the bot
        raise ValueError(f"{value!r} is reserved for the Kampung KB's kegiatan; choose another")
    return value


class UnitSettings(_Settings):
    slug: Annotated[Slug, AfterValidator(_not_reserved)]
    kind: Annotated[str, AfterValidator(_unit_kind)]
    name: str = Field(min_length=1)
    rw: str = ""
    meets: MeetingRuleText | None = None
    # The group's codes on the R/I registers (SIGA); optional, blank on the sheet if unset.
    kode_poktan: RegisterCode | None = None
    nomor_register: RegisterCode | None = None


class KampungSettings(_Settings):
    slug: Slug
    name: str = Field(min_length=1)
    kelurahan: str = Field(min_length=1)
    kecamatan: str = Field(min_length=1)
    kabupaten: str = Field(min_length=1)
    timezone: Annotated[str, AfterValidator(_timezone)] = "Asia/Jakarta"
    pokja_meets: MeetingRuleText | None = None
    # At most PROFILE_MAX: a typo's extra digits are named here, not an integer overflow
    # in the database at start.
    keluarga_balita: int = Field(default=0, ge=0, le=PROFILE_MAX)
    keluarga_remaja: int = Field(default=0, ge=0, le=PROFILE_MAX)
    keluarga_lansia: int = Field(default=0, ge=0, le=PROFILE_MAX)
    keluarga: int = Field(default=0, ge=0, le=PROFILE_MAX)  # all families (UPPKA participation)
    remaja: int = Field(default=0, ge=0, le=PROFILE_MAX)  # teenagers (PIK-R participation)
    pus: int = Field(default=0, ge=0, le=PROFILE_MAX)
    kode_wilayah: KodeWilayah | None = None  # on the registers and the portal sheet
    unit: tuple[UnitSettings, ...] = ()

    @field_validator("unit")
    @classmethod
    def _unique_units(cls, units: tuple[UnitSettings, ...]) -> tuple[UnitSettings, ...]:
        _require_unique("unit", [unit.slug for unit in units])
        return units


class Config(_Settings):
    database: DatabaseSettings = DatabaseSettings()
    telegram: TelegramSettings = TelegramSettings()
    whatsapp: WhatsAppSettings | None = None
    schedule: ScheduleSettings = ScheduleSettings()
    kampung: tuple[KampungSettings, ...] = Field(min_length=1)

    # Where the file was; relative SQLite paths are taken from here, not from the cwd.
    base_dir: Path = Path(".")

    @field_validator("kampung")
    @classmethod
    def _unique_kampung(cls, kampung: tuple[KampungSettings, ...]) -> tuple[KampungSettings, ...]:
        _require_unique("kampung", [entry.slug for entry in kampung])
        return kampung

    @property
    def database_url(self) -> str:
        """The database URL, with a relative SQLite path resolved against the config file."""
        url = make_url(self.database.url)
        if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
            path = Path(url.database)
            if not path.is_absolute():
                url = url.set(database=str((self.base_dir / path).resolve()))
        return url.render_as_string(hide_password=False)

    def telegram_webhook_secret(self) -> str:
        secret = os.environ.get(self.telegram.webhook_secret_env, "")
        if not re.fullmatch(r"[A-Za-z0-9_-]{16,256}", secret):
            name = self.telegram.webhook_secret_env
            raise ConfigError(
                f"telegram.webhook_secret_env: webhook mode needs {name} set to 16-256 "
                "letters, digits, '_' or '-' (Telegram sends it back in every request)"
            )
        return secret

    def has_telegram_token(self) -> bool:
        return bool(os.environ.get(self.telegram.token_env) or self.telegram.token)

    def telegram_token(self) -> str:
        """The bot token from the environment variable the file names (or the file itself)."""
        token = os.environ.get(self.telegram.token_env) or self.telegram.token
        if not token:
            raise ConfigError(
                f"telegram.token_env: the environment variable {self.telegram.token_env} is "
                "not set. Get a token from @BotFather in Telegram, then run\n"
                f"    export {self.telegram.token_env}=123456:ABC...\n"
                "and start again. To try the bot without Telegram, talk to it in the terminal:\n"
                f"{self._terminal_hint()}"
            )
        if not re.fullmatch(r"\d+:[\w-]+", token):
            raise ConfigError(
                f"telegram.token_env: the value of {self.telegram.token_env} does not look "
                "like a bot token (digits, a colon, then letters), as @BotFather gives it"
            )
        return token

    def _terminal_hint(self) -> str:
        kampung = self.kampung[0]
        unit = f" --unit {kampung.unit[0].slug}" if kampung.unit else ""
        role = "kader" if kampung.unit else "ketua"
        return (
            f"    .venv/bin/kaderbot invite --kampung {kampung.slug} --role {role}{unit}\n"
            "    .venv/bin/kaderbot chat --user budi\n"
            "and send /start with the printed code."
        )

    def seeds(self) -> list[KampungSeed]:
        return [
            KampungSeed(
                slug=k.slug,
                name=k.name,
                kelurahan=k.kelurahan,
                kecamatan=k.kecamatan,
                kabupaten=k.kabupaten,
                timezone=k.timezone,
                pokja_meets=k.pokja_meets,
                profile={key: getattr(k, key) for key in PROFILE_KEYS},
                units=tuple(
                    UnitSeed(u.slug, u.kind, u.name, u.rw, u.meets, u.kode_poktan, u.nomor_register)
                    for u in k.unit
                ),
                kode_wilayah=k.kode_wilayah,
            )
            for k in self.kampung
        ]


def _location(loc: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts[-1] += f"[{item}]"
        else:
            parts.append(item)
    return ".".join(parts) or "(top level)"


def _as_toml(value: object) -> str:
    try:
        return json.dumps(value, ensure_ascii=False)  # true, "5", [1, 2]: as written in TOML
    except TypeError:
        return str(value)  # a TOML date or time


def _describe(error: ValidationError) -> str:
    first = error.errors()[0]
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "missing":
        message = "required key is missing"
    elif first["type"] == "extra_forbidden":
        message = "unknown key (check the spelling against README)"
    elif first["type"] == "literal_error":
        message = f"{first['input']!r} is not allowed; " + message.lower()
    elif first["type"].endswith("_type"):  # int_type, string_type, tuple_type ...
        wanted = message.lower().replace("valid tuple", "list")
        message = f"{wanted}, got {_as_toml(first['input'])}"
    where = _location(tuple(first["loc"]))
    if message.startswith(where + "."):  # a check across keys names its keys itself
        return message
    return f"{where}: {message}"


def _tuples(value: Any) -> Any:
    """TOML arrays as tuples, the frozen settings' sequence type (strict mode wants it)."""
    if isinstance(value, list):
        return tuple(_tuples(item) for item in value)
    if isinstance(value, dict):
        return {key: _tuples(item) for key, item in value.items()}
    return value


def load_config(path: Path) -> Config:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except UnicodeDecodeError as error:
        raise ConfigError(
            f"{path}: not UTF-8 text (byte {error.start}); save the file as UTF-8"
        ) from None
    except OSError as error:  # a directory, no permission, an I/O error
        raise ConfigError(f"{path}: cannot read the config file: {error.strerror}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    try:
        return Config.model_validate({**_tuples(raw), "base_dir": path.resolve().parent})
    except ValidationError as error:
        raise ConfigError(f"{path}: {_describe(error)}") from None
