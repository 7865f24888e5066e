"""The release this server answers as: a leaf module every layer may import.

Invariant: these are the only spellings of the versions and the server name;
INFO, HELLO, the Lua API's version fields and the start-up banner read them here.
"""

VALKEY_VERSION = "8.0.1"
REDIS_VERSION = "7.2.4"  # what Valkey 8.0.1 reports as redis_version
SERVER_NAME = "valkey"


def version_number(text: str) -> int:
    """``"8.0.1"`` -> 0x080001, as Valkey's VALKEY_VERSION_NUM."""
    major, minor, patch = (int(part) for part in text.split("."))
    return (major << 16) | (minor << 8) | patch
