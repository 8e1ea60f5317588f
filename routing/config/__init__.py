"""routing.toml becomes a validated `Config`: the file, the `[daemon]`, `[notify]` and `[people]`
tables, the database URL, and the flow catalogue (which flow definitions are in force, with their
guards). Every table's keys and types are declared once, in `schema.py`, and checked by its one
walker; `lines.py` finds the line of each key, so every problem names its line.

Imports `routing.calendar` (to parse calendars), the base modules (`errors`, `i18n`), `flows`
and `store` (the catalogue pins flow versions); never the engine or anything above it.
"""
