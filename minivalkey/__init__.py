"""minivalkey: an in-memory server that speaks the Valkey/Redis protocol.

Public API: ``Server`` (embed a server in a process), ``ManualClock`` and
``SystemClock`` (the clocks a server can read), ``__version__``.
"""

from .clock import ManualClock, SystemClock
from .embed import Server

__version__ = "0.1.0"

__all__ = ["ManualClock", "Server", "SystemClock", "__version__"]
