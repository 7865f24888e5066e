"""Lua scripting: the runtime bridge, the EVAL script cache and FUNCTION libraries."""
