from __future__ import annotations

from routing.cli.app import main

main()
