"""Read models: the JSON-ready shapes behind list, show, the board, todo, plan, agenda and
besluitenlijst, and what `routing check` says about the calendars.

Decides nothing and writes nothing itself (the calendar sync it triggers is the engine's); imports
the layers below it, never `render` or `cli`.
"""
