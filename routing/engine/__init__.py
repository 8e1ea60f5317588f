"""The only writer of items and meetings: register, move, edit, plan on a meeting, re-plan when a
meeting moves or is cancelled, keep the stored meetings in line with routing.toml and .ics files,
decide on informing E&I, and compose messages into the outbox within the same transaction.

Imports the layers below it (`calendar`, `config`, `runtime`, base), `flows` and `store`; never
`effects`, `read`, `render` or `cli`.
"""
