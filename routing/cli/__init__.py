"""The command line: typer commands that parse, call one function below them and render; every
`RoutingError` becomes one line and an exit code.

May import every layer below it; nothing imports the CLI.
"""
