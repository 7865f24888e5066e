"""Lua scripting: the Lua runtime, the libraries scripts see, EVAL and FUNCTION."""
