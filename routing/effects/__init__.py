"""What runs without a person: the sweep (reminders, escalations, roll-overs, feedback items,
the E&I digest, slip warnings, calendar changes), delivery of the outbox, and the daemon.

Changes items only through `routing.engine`; imports the layers below it, never `read`,
`render` or `cli`.
"""
