"""aiosqlite storage: connection, migrations, repositories and the FSM storage. SQL lives here."""
