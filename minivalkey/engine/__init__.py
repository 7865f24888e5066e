"""The data engine: pure data structures, no asyncio, no RESP."""
