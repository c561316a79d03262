"""The SQL text repositories write once, as PostgreSQL receives it."""

from __future__ import annotations

from storage.database import none_of, one_of
from storage.postgres import numbered, rows_changed


def test_placeholders_are_numbered_and_quoted_literals_left_alone() -> None:
    assert numbered("SELECT ? + ?") == "SELECT $1 + $2"
    assert (
        numbered("UPDATE t SET a = '?', b = ? WHERE c = 'it''s ?' AND d = ?")
        == "UPDATE t SET a = '?', b = $1 WHERE c = 'it''s ?' AND d = $2"
    )
    assert numbered("SELECT 1") == "SELECT 1"


def test_empty_lists_give_conditions_postgresql_accepts() -> None:
    assert one_of("id", [1, 2]) == "id IN (?, ?)"
    assert one_of("id", []) == "FALSE"
    assert none_of("id", ["a"]) == "id NOT IN (?)"
    assert none_of("id", []) == "TRUE"


def test_command_tags_give_the_rows_changed() -> None:
    assert rows_changed("UPDATE 3") == 3
    assert rows_changed("INSERT 0 1") == 1
    assert rows_changed("DELETE 0") == 0
    assert rows_changed("CREATE TABLE") == 0
