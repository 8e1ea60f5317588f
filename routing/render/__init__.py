"""Rendering: rich terminal views, documents (Jinja Markdown and HTML), flow diagrams and the .ics
export. Lays out facts it is given and decides nothing.

Imports the layers below it (for the shapes and types it renders), never `cli`.
"""
