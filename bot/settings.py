"""Configuration from the environment and an optional `.env` file."""

from __future__ import annotations

import base64
import binascii
import re
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger
from pydantic import (
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

SUPPORTED_LOCALES = ("kk", "ru")
KEY_BYTES = 32
MAX_RELAY_DELAY_MINUTES = 120
_SECRET_SHAPES = {
    "database_url": (
        re.compile(r"postgres(?:ql)?://.+"),
        "expected a postgresql:// URL, or nothing for SQLite in DATA_DIR",
    ),
    "redis_url": (
        re.compile(r"(?:rediss?|unix)://.+"),
        "expected a redis://, rediss:// or unix:// URL, or nothing",
    ),
    "webhook_secret": (
        re.compile(r"[A-Za-z0-9_-]{1,256}"),
        "expected 1-256 characters of A-Z, a-z, 0-9, _ and -",
    ),
}
_MINUTES_RANGE = re.compile(r"\s*(\d{1,4})\s*(?:-\s*(\d{1,4})\s*)?")


class ConfigError(Exception):
    """Settings are missing or malformed; each problem is one line that names its setting."""

    def __init__(self, *problems: str) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    bot_token: SecretStr
    telegram_api_url: str | None = None
    data_dir: Path = Path("./data")
    encryption_keys: Annotated[tuple[bytes, ...], NoDecode] = ()
    key_file: Path = Path("./secrets/adal.key")
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    default_locale: Literal["kk", "ru"] = "kk"
    timezone: str = "Asia/Almaty"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    log_format: Literal["text", "json"] = "text"
    draft_ttl_hours: int = Field(default=24, ge=1, le=24 * 30)
    retention_days: int = Field(default=365, ge=1, le=3650)
    hotline: str = Field(default="1424", pattern=r"^[0-9+() -]{2,20}$")
    fallback_chat_id: int | None = None
    digest_schedule: str = "0 9,15 * * 1-5"
    reminder_schedule: str = "0 10 * * 1-5"
    ack_deadline_days: int = Field(default=7, ge=1, le=365)
    answer_deadline_days: int = Field(default=90, ge=1, le=3650)
    send_interval_seconds: float = Field(default=3.0, ge=0, le=60)
    broadcast_rate: float = Field(default=25.0, gt=0, le=30)
    reports_per_day: int = Field(default=5, ge=1, le=1000)
    max_report_file_mb: int = Field(default=100, ge=1, le=100_000)
    file_mb_per_day: int = Field(default=200, ge=1, le=1_000_000)
    min_free_disk_mb: int = Field(default=500, ge=0, le=1_000_000_000)
    voice_pitch_hz: float = Field(default=110.0, ge=70, le=300)
    voice_formant_ratio: float = Field(default=0.85, ge=0.7, le=1.3)
    max_voice_minutes: int = Field(default=10, ge=1, le=30)
    relay_delay_minutes: Annotated[tuple[int, int], NoDecode] = (2, 10)
    close_undo_seconds: int = Field(default=60, ge=0, le=3600)
    bot_mode: Literal["polling", "webhook"] = "polling"
    web_host: str = "127.0.0.1"
    web_port: int = Field(default=8080, ge=1, le=65535)
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    database_url: SecretStr | None = None
    redis_url: SecretStr | None = None
    redis_prefix: str = Field(default="adal:", pattern=r"^[A-Za-z0-9_.:-]{1,64}$")
    leader_lease_seconds: float = Field(default=30.0, ge=3, le=300)
    webapp_url: str | None = None
    webapp_auth_max_age: int = Field(default=3600, ge=60, le=86400)
    webapp_session_seconds: int = Field(default=3600, ge=300, le=86400)
    webapp_script_url: str = "https://telegram.org/js/telegram-web-app.js"

    @field_validator("database_url", "redis_url", "webhook_secret", mode="before")
    @classmethod
    def _secret_shape(cls, value: object, info: ValidationInfo) -> object:
        """Empty is unset; anything else must have the shape of its setting."""
        text = value.get_secret_value() if isinstance(value, SecretStr) else value
        if text is None or text == "":
            return None
        pattern, expected = _SECRET_SHAPES[info.field_name or ""]
        if not isinstance(text, str) or not pattern.fullmatch(text):
            raise ValueError(expected)
        return value

    @field_validator("webhook_url", "webapp_url")
    @classmethod
    def _https_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        if not value.startswith("https://") or len(value) <= len("https://"):
            raise ValueError("expected an https:// URL (Telegram opens and posts only over HTTPS)")
        return value

    @field_validator("webapp_script_url")
    @classmethod
    def _script_url(cls, value: str) -> str:
        if not value.startswith(("https://", "http://127.0.0.1:")) or "'" in value or " " in value:
            raise ValueError("expected Telegram's https:// address of telegram-web-app.js")
        return value

    @model_validator(mode="after")
    def _webhook_complete(self) -> Settings:
        if self.bot_mode == "webhook":
            missing = [
                name
                for name, value in (
                    ("WEBHOOK_URL", self.webhook_url),
                    ("WEBHOOK_SECRET", self.webhook_secret),
                )
                if value is None
            ]
            if missing:
                raise ValueError(f"BOT_MODE=webhook needs {' and '.join(missing)}")
        return self

    @field_validator("fallback_chat_id", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("relay_delay_minutes", mode="before")
    @classmethod
    def _parse_delay(cls, value: object) -> tuple[int, int]:
        if isinstance(value, tuple):
            return value
        match = _MINUTES_RANGE.fullmatch(str(value))
        if match is None:
            raise ValueError("expected minutes as a range like 2-10, or one number")
        bounds = (int(match[1]), int(match[2] or match[1]))
        if bounds[0] > bounds[1] or bounds[1] > MAX_RELAY_DELAY_MINUTES:
            raise ValueError(
                f"expected the smaller number first, at most {MAX_RELAY_DELAY_MINUTES} minutes"
            )
        return bounds

    @field_validator("digest_schedule", "reminder_schedule")
    @classmethod
    def _cron(cls, value: str) -> str:
        try:
            CronTrigger.from_crontab(value)
        except ValueError as exc:
            raise ValueError(f"expected a cron expression like '0 9,15 * * 1-5' ({exc})") from None
        return value

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr) -> SecretStr:
        bot_id, _, secret = value.get_secret_value().partition(":")
        if not bot_id.isdigit() or not secret:
            raise ValueError("expected the form 123456:ABC... given by @BotFather")
        return value

    @field_validator("telegram_api_url")
    @classmethod
    def _url_shape(cls, value: str | None) -> str | None:
        if not value:
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("expected an http:// or https:// URL")
        return value.rstrip("/")

    @field_validator("encryption_keys", mode="before")
    @classmethod
    def _parse_keys(cls, value: object) -> tuple[bytes, ...]:
        if isinstance(value, tuple):
            return value
        return tuple(decode_key(part) for part in str(value or "").split(",") if part.strip())

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _parse_admins(cls, value: object) -> frozenset[int]:
        if isinstance(value, frozenset):
            return value
        parts = [part.strip() for part in str(value or "").split(",") if part.strip()]
        if not all(part.lstrip("-").isdigit() for part in parts):
            raise ValueError("expected comma-separated numeric Telegram user ids")
        return frozenset(int(part) for part in parts)

    @field_validator("default_locale", "log_level", "log_format", "bot_mode", mode="before")
    @classmethod
    def _normalise_case(cls, value: object) -> object:
        return value.strip() if isinstance(value, str) else value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("unknown IANA time zone, e.g. Asia/Almaty") from None
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def database_path(self) -> Path:
        """The SQLite file, used when ``DATABASE_URL`` is not set."""
        return self.data_dir / "adal.sqlite3"

    @property
    def postgres_url(self) -> str | None:
        return self.database_url.get_secret_value() if self.database_url else None


def decode_key(text: str) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("each key must be base64") from None
    if len(key) != KEY_BYTES:
        raise ValueError(f"each key must decode to {KEY_BYTES} bytes, got {len(key)}")
    return key


def load_settings(**overrides: Any) -> Settings:
    """Build the settings, turning pydantic's report into one line per bad setting, naming it."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise ConfigError(*(_problem(error) for error in exc.errors())) from None


def _problem(error: ErrorDetails) -> str:
    reason = error["msg"].removeprefix("Value error, ")
    if not error["loc"]:  # a check across settings names them itself
        return reason
    name = str(error["loc"][0]).upper()
    if error["type"] == "missing":
        return f"{name} is required but not set"
    return f"{name} is invalid: {reason}"
