"""routing.toml becomes a validated `Config`: the file, the `[daemon]`, `[notify]` and `[people]`
tables, and the flow catalogue (which flow definitions are in force, with their guards).

Imports `routing.calendar` (to parse calendars), the base modules (`errors`, `i18n`), `flows`
and `store` (the catalogue pins flow versions); never the engine or anything above it.
"""
