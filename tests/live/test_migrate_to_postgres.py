"""``python -m bot migrate-to-postgres``: an SQLite installation made by this code, with cases in
every state, files, notes, questions, subscribers and a broadcast, copied into PostgreSQL; the bot
then runs on PostgreSQL with everything readable."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from PIL import Image

from bot.__main__ import main
from bot.ops.postgres_migration import run_migrate_to_postgres
from tests.fakeapi import FakeBotAPI
from tests.support import backends
from tests.support.broadcasting import broadcast_now, subscribe
from tests.support.flows import cards, case_id_of, close, data, press_in, report
from tests.support.live import live_bot, live_settings
from tests.support.media import encoded
from tests.support.people import Person

pytestmark = pytest.mark.sqlite_only  # it makes its own SQLite file and PostgreSQL database

PHOTO = encoded(Image.new("RGB", (64, 48), "teal"), "JPEG")
STATES = ("new", "delivered", "accepted", "awaiting_reporter", "closed")


@pytest.fixture
def postgres() -> str:
    server = backends.database_server()
    if server is None:
        pytest.skip(f"{backends.DATABASE_ENV} is unset: no PostgreSQL server to migrate into")
    return server


async def test_an_installation_moves_to_postgresql_with_everything_readable(
    fake_api: FakeBotAPI, tmp_path: Path, postgres: str, capsys: pytest.CaptureFixture[str]
) -> None:
    group = fake_api.make_group(title="Astana officers")
    receipts: dict[str, str] = {}
    async for live in live_bot(fake_api, tmp_path):
        await live.link("astana", group)
        officer = await live.officer("astana")
        await subscribe(live, "kk", 2)
        reporters = {state: live.person() for state in STATES}
        for state in ("delivered", "accepted", "awaiting_reporter", "closed"):
            photo = (
                encoded(Image.new("RGB", (64, 48), "teal"), "JPEG") if state == "accepted" else None
            )
            receipts[state] = await report(reporters[state], "astana", contact=True, photo=photo)
        assert await live.deliver() == 0
        case = {
            state: case_id_of(card)
            for state, card in zip(STATES[1:], cards(fake_api, group), strict=True)
        }
        await press_in(fake_api, officer, group, data("acc", case["accepted"]))
        row = await live.services.cases.for_chat(case["awaiting_reporter"], group.id)
        assert row is not None and await live.services.cases.ask(row, officer.id, "Где именно?")
        await live.services.cases.add_information(case["accepted"], "ДОПОЛНЕНИЕ-К-ДЕЛУ")
        await press_in(fake_api, officer, group, data("acc", case["closed"]))
        await close(fake_api, officer, group, case["closed"])
        await broadcast_now(live, "Жаңалық", "Новость")
        assert await live.deliver() == 0
        receipts["new"] = await report(reporters["new"], "abai")
        sqlite_file = live.services.settings.database_path
        statuses = {
            row[0]: row[1]
            for row in await live.services.database.fetchall(
                "SELECT status, count(*) FROM reports GROUP BY status"
            )
        }
        assert statuses == dict.fromkeys(STATES, 1)

    with closing(sqlite3.connect(sqlite_file)) as source:
        sealed = dict(source.execute("SELECT id, body FROM reports"))
        counts = {
            table: source.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for (table,) in source.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'alembic_version'"
            )
        }
    assert counts["attachments"] and counts["report_notes"] and counts["broadcast_recipients"]

    databases = backends.postgres_databases()
    name, url = await databases.create()
    try:
        settings = live_settings(fake_api, tmp_path, database_url=url)
        assert await run_migrate_to_postgres(settings) == 0
        printed = capsys.readouterr().out
        assert f"reports: {counts['reports']}" in printed and "every count matches" in printed

        async for moved in live_bot(fake_api, tmp_path, database_url=url):
            database = moved.services.database
            assert database.dialect == "postgresql"
            for table, count in counts.items():
                assert (await database.fetchone(f"SELECT count(*) FROM {table}"))[0] == count
            for report_id, body in sealed.items():
                row = await database.fetchone("SELECT body FROM reports WHERE id = ?", (report_id,))
                assert bytes(row[0]) == body, "ciphertexts are copied untouched"
            shown_statuses = set()
            for state, shown in receipts.items():
                code = next(word for word in shown.split() if word.count("-") == 3)
                text = (await reporters[state].say(f"/status {code}")).plain_text or ""
                assert "№" in text, f"/status finds the {state} case"
                shown_statuses.add(text.splitlines()[3])
            assert len(shown_statuses) == len(STATES), "each case shows its own status"
            sent = len(cards(fake_api, group))
            assert await moved.deliver() == 0
            assert len(cards(fake_api, group)) == sent, "nothing delivered twice"
            later = Person(fake_api, fake_api.make_user(language_code="ru"))
            await report(later, "astana")
            assert await moved.deliver() == 0, "new ids continue after the copied ones"
            numbers = await database.fetchall("SELECT case_no FROM reports ORDER BY case_no")
            assert [row[0] for row in numbers] == list(range(1, len(STATES) + 2))

        assert await run_migrate_to_postgres(settings) == 1
        assert "Nothing was copied: the PostgreSQL database is not empty" in capsys.readouterr().out
    finally:
        await databases.dump_and_drop(name, tmp_path / backends.DUMP_NAME)


def test_the_command_says_what_it_needs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BOT_TOKEN", "42:TEST")
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    assert main(["migrate-to-postgres"]) == 2
    assert "DATABASE_URL is not set" in capsys.readouterr().err
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    assert main(["migrate-to-postgres"]) == 2
    assert "DATA_DIR holds no database" in capsys.readouterr().err
