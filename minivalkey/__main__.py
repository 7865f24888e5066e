"""``python -m minivalkey``: the same as the ``minivalkey-server`` command."""

from .cli import main

raise SystemExit(main())
