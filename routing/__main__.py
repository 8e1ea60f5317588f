from __future__ import annotations

from routing.cli import main

main()
