"""Lua scripting: EVAL scripts and FUNCTION libraries on lupa's Lua 5.1.

A package of one module per concern (see each docstring): ``engine`` (a sandboxed
Lua state), ``sandbox`` (its Lua side), ``notail``, ``api`` (the server/redis table),
``convert`` (values both ways), ``run`` (one run and the rules of its commands),
``host`` (a state ready to run scripts for a caller), ``evalcache`` (EVAL's script
cache), ``functions`` and ``funchost`` (FUNCTION libraries), ``fdump`` (FUNCTION
DUMP payloads), ``busy`` (scripts past busy-reply-threshold) and ``libs/`` (cjson,
cmsgpack, bit, struct).

Invariant: nothing here runs, or is even built, until a client uses scripting; the
normal command path does not know it exists.
"""
