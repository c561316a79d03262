from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.security.keys import resolve_keys
from bot.settings import ConfigError, load_settings
from tests.conftest import TEST_KEY

ROOT = Path(__file__).resolve().parents[2]


def run_bot(env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"BOT_TOKEN", "ENCRYPTION_KEYS"}}
    clean.update(env, PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "bot"],
        env=clean,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "name"),
    [
        ({}, "BOT_TOKEN"),
        ({"BOT_TOKEN": "not-a-token"}, "BOT_TOKEN"),
        ({"BOT_TOKEN": "1:x", "ENCRYPTION_KEYS": "c2hvcnQ="}, "ENCRYPTION_KEYS"),
        ({"BOT_TOKEN": "1:x", "ADMIN_IDS": "12,abc"}, "ADMIN_IDS"),
        ({"BOT_TOKEN": "1:x", "TIMEZONE": "Mars/Olympus"}, "TIMEZONE"),
        ({"BOT_TOKEN": "1:x", "DEFAULT_LOCALE": "en"}, "DEFAULT_LOCALE"),
        ({"BOT_TOKEN": "1:x", "TELEGRAM_API_URL": "ftp://x"}, "TELEGRAM_API_URL"),
        ({"BOT_TOKEN": "1:x", "BOT_MODE": "hook"}, "BOT_MODE"),
        ({"BOT_TOKEN": "1:x", "BOT_MODE": "webhook", "WEBHOOK_SECRET": "abc"}, "WEBHOOK_URL"),
        (
            {"BOT_TOKEN": "1:x", "BOT_MODE": "webhook", "WEBHOOK_URL": "https://a.kz/t"},
            "WEBHOOK_SECRET",
        ),
        ({"BOT_TOKEN": "1:x", "WEBHOOK_URL": "http://a.kz/t"}, "WEBHOOK_URL"),
        ({"BOT_TOKEN": "1:x", "WEBHOOK_SECRET": "has space"}, "WEBHOOK_SECRET"),
        ({"BOT_TOKEN": "1:x", "WEBHOOK_SECRET": "x" * 257}, "WEBHOOK_SECRET"),
        ({"BOT_TOKEN": "1:x", "WEB_PORT": "0"}, "WEB_PORT"),
        ({"BOT_TOKEN": "1:x", "DATABASE_URL": "mysql://db/adal"}, "DATABASE_URL"),
        ({"BOT_TOKEN": "1:x", "REDIS_URL": "http://cache:6379"}, "REDIS_URL"),
        ({"BOT_TOKEN": "1:x", "REDIS_PREFIX": "has space"}, "REDIS_PREFIX"),
        ({"BOT_TOKEN": "1:x", "LEADER_LEASE_SECONDS": "1"}, "LEADER_LEASE_SECONDS"),
    ],
)
def test_bad_setting_stops_with_one_line_naming_it(
    env: dict[str, str],
    name: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for variable in ("BOT_TOKEN", "ENCRYPTION_KEYS", "ADMIN_IDS", "TIMEZONE", "DEFAULT_LOCALE"):
        monkeypatch.delenv(variable, raising=False)
    for variable, value in env.items():
        monkeypatch.setenv(variable, value)
    monkeypatch.chdir(tmp_path)
    assert main([]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    assert name in lines[0]


def test_webhook_settings() -> None:
    settings = load_settings(
        bot_token="1:x",
        bot_mode=" webhook ",
        webhook_url="https://adal.example.kz/tg",
        webhook_secret="A-z_0" * 51 + "9",  # 256 characters, Telegram's most
        _env_file=None,
    )
    assert settings.bot_mode == "webhook"
    assert (settings.web_host, settings.web_port) == ("127.0.0.1", 8080)
    assert settings.webhook_secret is not None
    assert len(settings.webhook_secret.get_secret_value()) == 256
    assert load_settings(bot_token="1:x", _env_file=None).bot_mode == "polling"


def test_every_bad_setting_is_reported_at_once_one_line_each(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for variable in ("BOT_TOKEN", "ENCRYPTION_KEYS", "TIMEZONE", "RETENTION_DAYS"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("TIMEZONE", "Mars/Olympus")
    monkeypatch.setenv("RETENTION_DAYS", "0")
    monkeypatch.chdir(tmp_path)
    assert main([]) == 2
    assert capsys.readouterr().err.strip().splitlines() == [
        "adal: configuration error: BOT_TOKEN is required but not set",
        "adal: configuration error: TIMEZONE is invalid: unknown IANA time zone, e.g. Asia/Almaty",
        "adal: configuration error: RETENTION_DAYS is invalid: "
        "Input should be greater than or equal to 1",
    ]


def test_python_m_bot_reports_a_missing_token_without_traceback(tmp_path: Path) -> None:
    result = run_bot({}, tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "adal: configuration error: BOT_TOKEN is required but not set"
    ]


def test_env_file_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BOT_TOKEN", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text(f"BOT_TOKEN=5:abc\nENCRYPTION_KEYS={TEST_KEY}\nADMIN_IDS=1, 2\n")
    settings = load_settings()
    assert settings.bot_token.get_secret_value() == "5:abc"
    assert settings.admin_ids == {1, 2}
    assert len(settings.encryption_keys) == 1


def test_key_file_is_created_once_with_private_mode(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    key_file = tmp_path / "secrets" / "adal.key"
    settings = load_settings(
        bot_token="1:x", key_file=key_file, data_dir=tmp_path / "data", _env_file=None
    )
    first = resolve_keys(settings)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert str(key_file.resolve()) in caplog.text and "los" in caplog.text
    assert resolve_keys(settings) == first
    assert not key_file.resolve().is_relative_to(settings.data_dir.resolve())


def test_damaged_key_file_is_a_config_error(tmp_path: Path) -> None:
    key_file = tmp_path / "adal.key"
    key_file.write_text("garbage")
    settings = load_settings(bot_token="1:x", key_file=key_file, _env_file=None)
    with pytest.raises(ConfigError, match="KEY_FILE"):
        resolve_keys(settings)


def test_env_example_documents_every_setting() -> None:
    example = (ROOT / ".env.example").read_text()
    for name in (
        "BOT_TOKEN",
        "TELEGRAM_API_URL",
        "DATA_DIR",
        "ENCRYPTION_KEYS",
        "KEY_FILE",
        "ADMIN_IDS",
        "DEFAULT_LOCALE",
        "TIMEZONE",
        "LOG_LEVEL",
        "LOG_FORMAT",
    ):
        assert f"{name}=" in example, name


def test_defaults_of_the_tunable_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ("BROADCAST_RATE", "REPORTS_PER_DAY", "RETENTION_DAYS", "DRAFT_TTL_HOURS"):
        monkeypatch.delenv(variable, raising=False)
    settings = load_settings(bot_token="1:x", _env_file=None)
    assert settings.broadcast_rate == 25
    assert settings.reports_per_day == 5
    assert settings.retention_days == 365
    assert settings.draft_ttl_hours == 24


def test_log_format_is_text_by_default_and_only_text_or_json(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("LOG_FORMAT", raising=False)
    assert load_settings(bot_token="1:x", _env_file=None).log_format == "text"
    assert load_settings(bot_token="1:x", log_format=" json ", _env_file=None).log_format == "json"
    with pytest.raises(ConfigError, match="LOG_FORMAT"):
        load_settings(bot_token="1:x", log_format="xml", _env_file=None)
