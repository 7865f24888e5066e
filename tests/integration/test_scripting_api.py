"""The server / redis API of EVAL scripts, function by function, byte for byte as Valkey
8.0.1 answers (RESP2 and RESP3 callers; each row runs with both names, ``redis.`` and
``server.``): call and pcall (arguments and their errors), sha1hex, error_reply,
status_reply, log, setresp, set_repl, replicate_commands, acl_check_cmd, breakpoint,
debug, the constants, and the global pcall Valkey replaces. Then the EVAL family
through redis-py in both protocols.

Rows were checked against valkey-server 8.0.1 (``None``: RESP3 answers the same).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import redis
from helpers import RawClient, raw_clients

from minivalkey import Server


@pytest.fixture
def clients(server: Server, raw: RawClient) -> Iterator[Callable[..., RawClient]]:
    with raw_clients(server.port) as open_client:
        yield open_client


API = [
    (
        ("EVAL", "return redis.sha1hex('')", "0"),
        b"$40\r\nda39a3ee5e6b4b0d3255bfef95601890afd80709\r\n",
        None,
    ),
    (
        ("EVAL", "return server.sha1hex('')", "0"),
        b"$40\r\nda39a3ee5e6b4b0d3255bfef95601890afd80709\r\n",
        None,
    ),
    (
        ("EVAL", "return redis.sha1hex('abc')", "0"),
        b"$40\r\na9993e364706816aba3e25717850c26c9cd0d89d\r\n",
        None,
    ),
    (
        ("EVAL", "return server.sha1hex('abc')", "0"),
        b"$40\r\na9993e364706816aba3e25717850c26c9cd0d89d\r\n",
        None,
    ),
    (
        ("EVAL", "return redis.sha1hex(12)", "0"),
        b"$40\r\n7b52009b64fd0a2a49e6d8a939753077792b0554\r\n",
        None,
    ),
    (
        ("EVAL", "return server.sha1hex(12)", "0"),
        b"$40\r\n7b52009b64fd0a2a49e6d8a939753077792b0554\r\n",
        None,
    ),
    (
        ("EVAL", "return redis.sha1hex({})", "0"),
        b"$40\r\nda39a3ee5e6b4b0d3255bfef95601890afd80709\r\n",
        None,
    ),
    (
        ("EVAL", "return server.sha1hex({})", "0"),
        b"$40\r\nda39a3ee5e6b4b0d3255bfef95601890afd80709\r\n",
        None,
    ),
    (
        ("EVAL", "return redis.sha1hex()", "0"),
        (
            b"-ERR wrong number of arguments script: 3c7ce947ae74a835cc575b6ee87fb27503cb7ba4, "
            b"on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "return server.sha1hex()", "0"),
        (
            b"-ERR wrong number of arguments script: 5edcd0f2366b852ad9b07b037c151969007912ee, "
            b"on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "return redis.sha1hex('a', 'b')", "0"),
        (
            b"-ERR wrong number of arguments script: 168a80c1fc9ccc2a1035122eae7afa0f638ba5b5, "
            b"on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "return server.sha1hex('a', 'b')", "0"),
        (
            b"-ERR wrong number of arguments script: 44985413f14d57ae3b062f6ae24f9a74d38d89d1, "
            b"on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "return redis.sha1hex(nil)", "0"),
        b"$40\r\nda39a3ee5e6b4b0d3255bfef95601890afd80709\r\n",
        None,
    ),
    (
        ("EVAL", "return server.sha1hex(nil)", "0"),
        b"$40\r\nda39a3ee5e6b4b0d3255bfef95601890afd80709\r\n",
        None,
    ),
    (("EVAL", "return redis.error_reply('My Error')", "0"), b"-My Error\r\n", None),
    (("EVAL", "return server.error_reply('My Error')", "0"), b"-My Error\r\n", None),
    (("EVAL", "return redis.error_reply('-My Error')", "0"), b"-My Error\r\n", None),
    (("EVAL", "return server.error_reply('-My Error')", "0"), b"-My Error\r\n", None),
    (("EVAL", "return redis.error_reply('')", "0"), b"-ERR \r\n", None),
    (("EVAL", "return server.error_reply('')", "0"), b"-ERR \r\n", None),
    (
        ("EVAL", "return redis.error_reply(1)", "0"),
        b"-ERR wrong number or type of arguments\r\n",
        None,
    ),
    (
        ("EVAL", "return server.error_reply(1)", "0"),
        b"-ERR wrong number or type of arguments\r\n",
        None,
    ),
    (
        ("EVAL", "return redis.error_reply()", "0"),
        b"-ERR wrong number or type of arguments\r\n",
        None,
    ),
    (
        ("EVAL", "return server.error_reply()", "0"),
        b"-ERR wrong number or type of arguments\r\n",
        None,
    ),
    (("EVAL", "return {redis.error_reply('x').err}", "0"), b"*1\r\n$5\r\nERR x\r\n", None),
    (("EVAL", "return {server.error_reply('x').err}", "0"), b"*1\r\n$5\r\nERR x\r\n", None),
    (
        ("EVAL", "return redis.error_reply('a', 'b')", "0"),
        b"-ERR wrong number or type of arguments\r\n",
        None,
    ),
    (
        ("EVAL", "return server.error_reply('a', 'b')", "0"),
        b"-ERR wrong number or type of arguments\r\n",
        None,
    ),
    (("EVAL", "return redis.status_reply('FINE')", "0"), b"+FINE\r\n", None),
    (("EVAL", "return server.status_reply('FINE')", "0"), b"+FINE\r\n", None),
    (
        ("EVAL", "return redis.status_reply(1)", "0"),
        b"-ERR wrong number or type of arguments\r\n",
        None,
    ),
    (
        ("EVAL", "return server.status_reply(1)", "0"),
        b"-ERR wrong number or type of arguments\r\n",
        None,
    ),
    (
        ("EVAL", "return redis.status_reply()", "0"),
        b"-ERR wrong number or type of arguments\r\n",
        None,
    ),
    (
        ("EVAL", "return server.status_reply()", "0"),
        b"-ERR wrong number or type of arguments\r\n",
        None,
    ),
    (("EVAL", "return {redis.status_reply('x').ok}", "0"), b"*1\r\n$1\r\nx\r\n", None),
    (("EVAL", "return {server.status_reply('x').ok}", "0"), b"*1\r\n$1\r\nx\r\n", None),
    (("EVAL", "return type(redis.status_reply(1))", "0"), b"$5\r\ntable\r\n", None),
    (("EVAL", "return type(server.status_reply(1))", "0"), b"$5\r\ntable\r\n", None),
    (
        ("EVAL", "return redis.status_reply(1).err", "0"),
        b"$37\r\nERR wrong number or type of arguments\r\n",
        None,
    ),
    (
        ("EVAL", "return server.status_reply(1).err", "0"),
        b"$37\r\nERR wrong number or type of arguments\r\n",
        None,
    ),
    (
        ("EVAL", "return redis.log(redis.LOG_WARNING, 'hello', 'world', 1, {})", "0"),
        b"$-1\r\n",
        b"_\r\n",
    ),
    (
        ("EVAL", "return server.log(server.LOG_WARNING, 'hello', 'world', 1, {})", "0"),
        b"$-1\r\n",
        b"_\r\n",
    ),
    (("EVAL", "return redis.log(0, 'x')", "0"), b"$-1\r\n", b"_\r\n"),
    (("EVAL", "return server.log(0, 'x')", "0"), b"$-1\r\n", b"_\r\n"),
    (
        ("EVAL", "return redis.log(4, 'x')", "0"),
        (
            b"-ERR Invalid log level. script: c9e2715db5138aeb364fdf6371f8f856398aede5, on "
            b"@user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "return server.log(4, 'x')", "0"),
        (
            b"-ERR Invalid log level. script: 4678e0ebb7086f1ccb5bc658cc3cce1cbe9aac52, on "
            b"@user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "return redis.log(-1, 'x')", "0"),
        (
            b"-ERR Invalid log level. script: 7bcf47ce4df7fae2d604b3ca1d3ca25d0005f487, on "
            b"@user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "return server.log(-1, 'x')", "0"),
        (
            b"-ERR Invalid log level. script: f39e3b9760663fa3d74d73eacf6ac2205128dbab, on "
            b"@user_script:1.\r\n"
        ),
        None,
    ),
    (("EVAL", "return redis.log('3', 'x')", "0"), b"$-1\r\n", b"_\r\n"),
    (("EVAL", "return server.log('3', 'x')", "0"), b"$-1\r\n", b"_\r\n"),
    (
        ("EVAL", "return redis.log('x', 'x')", "0"),
        (
            b"-ERR First argument must be a number (log level). script: "
            b"1ca7b2fcc13618110177d3fa90153335afc2a7da, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "return server.log('x', 'x')", "0"),
        (
            b"-ERR First argument must be a number (log level). script: "
            b"679c143bc7489098cd5e4eba4b95c95750879655, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "return redis.log(1)", "0"),
        (
            b"-ERR server.log() requires two arguments or more. script: "
            b"f5438245431406aa19fc387d93c6d03a0d5bcb0f, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "return server.log(1)", "0"),
        (
            b"-ERR server.log() requires two arguments or more. script: "
            b"5ed44aca40f5c29f286f3e4dea5959995f88dc97, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "return redis.log()", "0"),
        (
            b"-ERR server.log() requires two arguments or more. script: "
            b"28e28bf25123668ac541f5eec91bf7ad3d2fe0bd, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "return server.log()", "0"),
        (
            b"-ERR server.log() requires two arguments or more. script: "
            b"ab5d5df702d23a82dda39341b0c772411f1da3e3, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "return redis.log(nil, 'x')", "0"),
        (
            b"-ERR First argument must be a number (log level). script: "
            b"5de0fff6b13906cc074f55c45c65ae56b0787d5a, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "return server.log(nil, 'x')", "0"),
        (
            b"-ERR First argument must be a number (log level). script: "
            b"7a390b8d366aad43935836bee6b5c72f3414fa0e, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        (
            "EVAL",
            "return {redis.LOG_DEBUG, redis.LOG_VERBOSE, redis.LOG_NOTICE, redis.LOG_WARNING}",
            "0",
        ),
        b"*4\r\n:0\r\n:1\r\n:2\r\n:3\r\n",
        None,
    ),
    (
        (
            "EVAL",
            "return {server.LOG_DEBUG, server.LOG_VERBOSE, server.LOG_NOTICE, server.LOG_WARNING}",
            "0",
        ),
        b"*4\r\n:0\r\n:1\r\n:2\r\n:3\r\n",
        None,
    ),
    (
        (
            "EVAL",
            (
                "return {redis.REPL_NONE, redis.REPL_AOF, redis.REPL_SLAVE, "
                "redis.REPL_REPLICA, redis.REPL_ALL}"
            ),
            "0",
        ),
        b"*5\r\n:0\r\n:1\r\n:2\r\n:2\r\n:3\r\n",
        None,
    ),
    (
        (
            "EVAL",
            (
                "return {server.REPL_NONE, server.REPL_AOF, server.REPL_SLAVE, "
                "server.REPL_REPLICA, server.REPL_ALL}"
            ),
            "0",
        ),
        b"*5\r\n:0\r\n:1\r\n:2\r\n:2\r\n:3\r\n",
        None,
    ),
    (("EVAL", "return redis.set_repl(redis.REPL_ALL)", "0"), b"$-1\r\n", b"_\r\n"),
    (("EVAL", "return server.set_repl(server.REPL_ALL)", "0"), b"$-1\r\n", b"_\r\n"),
    (
        ("EVAL", "return redis.set_repl(4)", "0"),
        (
            b"-ERR Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or "
            b"REPL_NONE. script: 8d47156a34a3fe4292a966984a489f54e1d07a62, on "
            b"@user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "return server.set_repl(4)", "0"),
        (
            b"-ERR Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or "
            b"REPL_NONE. script: 682b24ec14abb4577b5bac3a17ba610abc7d3364, on "
            b"@user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "return redis.set_repl()", "0"),
        (
            b"-ERR server.set_repl() requires one argument. script: "
            b"9504533b41060c143a92eb2f8878e77d33b6dc33, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "return server.set_repl()", "0"),
        (
            b"-ERR server.set_repl() requires one argument. script: "
            b"80f94b0f16480e22c081c74123f17c760aa250a0, on @user_script:1.\r\n"
        ),
        None,
    ),
    (("EVAL", "return redis.set_repl('x')", "0"), b"$-1\r\n", b"_\r\n"),
    (("EVAL", "return server.set_repl('x')", "0"), b"$-1\r\n", b"_\r\n"),
    (
        ("EVAL", "return redis.set_repl(-1)", "0"),
        (
            b"-ERR Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or "
            b"REPL_NONE. script: 745493868ce735be1a1f08a9d115f18086342e9b, on "
            b"@user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "return server.set_repl(-1)", "0"),
        (
            b"-ERR Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or "
            b"REPL_NONE. script: 00a21c987269e180044754a6a7a7752211a2cb6b, on "
            b"@user_script:1.\r\n"
        ),
        None,
    ),
    (("EVAL", "return redis.set_repl(1.5)", "0"), b"$-1\r\n", b"_\r\n"),
    (("EVAL", "return server.set_repl(1.5)", "0"), b"$-1\r\n", b"_\r\n"),
    (("EVAL", "return redis.replicate_commands()", "0"), b":1\r\n", None),
    (("EVAL", "return server.replicate_commands()", "0"), b":1\r\n", None),
    (("EVAL", "return redis.replicate_commands(1)", "0"), b":1\r\n", None),
    (("EVAL", "return server.replicate_commands(1)", "0"), b":1\r\n", None),
    (("EVAL", "return redis.breakpoint()", "0"), b"$-1\r\n", b"_\r\n"),
    (("EVAL", "return server.breakpoint()", "0"), b"$-1\r\n", b"_\r\n"),
    (("EVAL", "return redis.debug('x')", "0"), b"$-1\r\n", b"_\r\n"),
    (("EVAL", "return server.debug('x')", "0"), b"$-1\r\n", b"_\r\n"),
    (
        ("EVAL", "return type(redis.debug('x'))", "0"),
        (
            b"-ERR user_script:1: bad argument #1 to 'type' (value expected) script: "
            b"033cf560d8413352951470f7a370c40ee6ab76ac, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "return type(server.debug('x'))", "0"),
        (
            b"-ERR user_script:1: bad argument #1 to 'type' (value expected) script: "
            b"63e4de1bf7a0286f05588a6f18933da810a2e75f, on @user_script:1.\r\n"
        ),
        None,
    ),
    (("EVAL", "return redis.log(3.9, 'x')", "0"), b"$-1\r\n", b"_\r\n"),
    (("EVAL", "return server.log(3.9, 'x')", "0"), b"$-1\r\n", b"_\r\n"),
    (("EVAL", "return redis.log(-0.5, 'x')", "0"), b"$-1\r\n", b"_\r\n"),
    (("EVAL", "return server.log(-0.5, 'x')", "0"), b"$-1\r\n", b"_\r\n"),
    (("EVAL", "return redis.setresp(2.99)", "0"), b"$-1\r\n", b"_\r\n"),
    (("EVAL", "return server.setresp(2.99)", "0"), b"$-1\r\n", b"_\r\n"),
    (
        ("EVAL", "return redis.setresp()", "0"),
        (
            b"-ERR server.setresp() requires one argument. script: "
            b"76da64e28014e7c9ad76db33c3918c53d81a3d7e, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "return server.setresp()", "0"),
        (
            b"-ERR server.setresp() requires one argument. script: "
            b"bd4168dbd7b68a8d1dddf12e4bca56bf3f3e6504, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "return redis.setresp(1)", "0"),
        (
            b"-ERR RESP version must be 2 or 3. script: e4c0c5308c679a7ced4ae5742cc85e237132393"
            b"b, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "return server.setresp(1)", "0"),
        (
            b"-ERR RESP version must be 2 or 3. script: 4beeeda14a8d6c4dab088f6d9b9d1fed0ba424f"
            b"5, on @user_script:1.\r\n"
        ),
        None,
    ),
    (("EVAL", "return redis.setresp('3')", "0"), b"$-1\r\n", b"_\r\n"),
    (("EVAL", "return server.setresp('3')", "0"), b"$-1\r\n", b"_\r\n"),
    (("EVAL", "return redis.setresp(3.5)", "0"), b"$-1\r\n", b"_\r\n"),
    (("EVAL", "return server.setresp(3.5)", "0"), b"$-1\r\n", b"_\r\n"),
    (
        ("EVAL", "return redis.setresp(2, 3)", "0"),
        (
            b"-ERR server.setresp() requires one argument. script: "
            b"d1132ebf2c3720d9f3a80fc386a9b9982f0dc1e2, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "return server.setresp(2, 3)", "0"),
        (
            b"-ERR server.setresp() requires one argument. script: "
            b"fbb3a051f1c4765fffffb0081b544be7eb8250e9, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "redis.setresp(3) return redis.call('hgetall', 'nosuch')", "0"),
        b"*0\r\n",
        b"%0\r\n",
    ),
    (
        ("EVAL", "server.setresp(3) return server.call('hgetall', 'nosuch')", "0"),
        b"*0\r\n",
        b"%0\r\n",
    ),
    (("EVAL", "return redis.acl_check_cmd('set', 'x', 1)", "0"), b":1\r\n", None),
    (("EVAL", "return server.acl_check_cmd('set', 'x', 1)", "0"), b":1\r\n", None),
    (
        ("EVAL", "return redis.acl_check_cmd('nosuch')", "0"),
        (
            b"-ERR Invalid command passed to server.acl_check_cmd() script: "
            b"d2491587bab5149c93be0dce4426f7a06ba9e1a1, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "return server.acl_check_cmd('nosuch')", "0"),
        (
            b"-ERR Invalid command passed to server.acl_check_cmd() script: "
            b"9fc12f0f1a7728189834cf7ddbaaa5b51e45bb0a, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "return redis.acl_check_cmd()", "0"),
        (
            b"-ERR Please specify at least one argument for this call script: "
            b"1124f33ad66e7866b4e0c1499a4c20fb5eb9c180, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "return server.acl_check_cmd()", "0"),
        (
            b"-ERR Please specify at least one argument for this call script: "
            b"ec10f13a4a943ba81a6afb0d7879b13c458ea15a, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "return redis.acl_check_cmd('get', {})", "0"),
        (
            b"-ERR Command arguments must be strings or integers script: "
            b"0aa2b5d2ac0199e1e8b769b3db96e8cbb91645fa, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "return server.acl_check_cmd('get', {})", "0"),
        (
            b"-ERR Command arguments must be strings or integers script: "
            b"560d3995c30d362e74184fa9ce20182a46770947, on @user_script:1.\r\n"
        ),
        None,
    ),
    (("EVAL", "return redis.acl_check_cmd('get')", "0"), b":1\r\n", None),
    (("EVAL", "return server.acl_check_cmd('get')", "0"), b":1\r\n", None),
    (
        (
            "EVAL",
            (
                "return {redis.REDIS_VERSION, redis.REDIS_VERSION_NUM, redis.VALKEY_VERSION, "
                "redis.VALKEY_VERSION_NUM, redis.SERVER_NAME}"
            ),
            "0",
        ),
        b"*5\r\n$5\r\n7.2.4\r\n:459268\r\n$5\r\n8.0.1\r\n:524289\r\n$6\r\nvalkey\r\n",
        None,
    ),
    (
        (
            "EVAL",
            (
                "return {server.REDIS_VERSION, server.REDIS_VERSION_NUM, "
                "server.VALKEY_VERSION, server.VALKEY_VERSION_NUM, server.SERVER_NAME}"
            ),
            "0",
        ),
        b"*5\r\n$5\r\n7.2.4\r\n:459268\r\n$5\r\n8.0.1\r\n:524289\r\n$6\r\nvalkey\r\n",
        None,
    ),
    (
        ("EVAL", "return redis.call('ping', 'a', 'b')", "0"),
        (
            b"-ERR wrong number of arguments for 'ping' command script: "
            b"54bb24c858fab5a4c01933df40cd77926cc27e78, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "return server.call('ping', 'a', 'b')", "0"),
        (
            b"-ERR wrong number of arguments for 'ping' command script: "
            b"80627de0dcab0966b3650da4e11d8f59a406f5b8, on @user_script:1.\r\n"
        ),
        None,
    ),
    (("EVAL", "return redis.call('PING')", "0"), b"+PONG\r\n", None),
    (("EVAL", "return server.call('PING')", "0"), b"+PONG\r\n", None),
    (("EVAL", "return redis.call('ping', 1.5)", "0"), b"$3\r\n1.5\r\n", None),
    (("EVAL", "return server.call('ping', 1.5)", "0"), b"$3\r\n1.5\r\n", None),
    (("EVAL", "return redis.call('echo', 2^53)", "0"), b"$16\r\n9007199254740992\r\n", None),
    (("EVAL", "return server.call('echo', 2^53)", "0"), b"$16\r\n9007199254740992\r\n", None),
    (("EVAL", "return redis.call('echo', -0.0)", "0"), b"$1\r\n0\r\n", None),
    (("EVAL", "return server.call('echo', -0.0)", "0"), b"$1\r\n0\r\n", None),
    (("EVAL", "return redis.call('echo', 1e20)", "0"), b"$5\r\n1e+20\r\n", None),
    (("EVAL", "return server.call('echo', 1e20)", "0"), b"$5\r\n1e+20\r\n", None),
    (("EVAL", "return redis.call('echo', 0.1)", "0"), b"$3\r\n0.1\r\n", None),
    (("EVAL", "return server.call('echo', 0.1)", "0"), b"$3\r\n0.1\r\n", None),
    (
        ("EVAL", "return redis.call('echo', true)", "0"),
        (
            b"-ERR Command arguments must be strings or integers script: "
            b"fa0fb7742fdebf03c54532d237d199d064e5c0e7, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "return server.call('echo', true)", "0"),
        (
            b"-ERR Command arguments must be strings or integers script: "
            b"46121c6f3d866575e7a0ff92f9fd5db2b1e8b966, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "return redis.call('echo', nil)", "0"),
        (
            b"-ERR Command arguments must be strings or integers script: "
            b"229dabbaaaec350aefa651db1350b76b7e8fa043, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "return server.call('echo', nil)", "0"),
        (
            b"-ERR Command arguments must be strings or integers script: "
            b"1cbff073876562112c1e988a77d4887020eb8bae, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "return redis.pcall('echo')", "0"),
        b"-ERR Wrong number of args calling command from script\r\n",
        None,
    ),
    (
        ("EVAL", "return server.pcall('echo')", "0"),
        b"-ERR Wrong number of args calling command from script\r\n",
        None,
    ),
    (
        ("EVAL", "return redis.pcall()", "0"),
        b"-ERR Please specify at least one argument for this call\r\n",
        None,
    ),
    (
        ("EVAL", "return server.pcall()", "0"),
        b"-ERR Please specify at least one argument for this call\r\n",
        None,
    ),
    (
        ("EVAL", "return redis.pcall({})", "0"),
        b"-ERR Command arguments must be strings or integers\r\n",
        None,
    ),
    (
        ("EVAL", "return server.pcall({})", "0"),
        b"-ERR Command arguments must be strings or integers\r\n",
        None,
    ),
    (
        ("EVAL", "return redis.call(nil)", "0"),
        (
            b"-ERR Command arguments must be strings or integers script: "
            b"99304b0aecba6a93ad3911cc253cf22c84ab4d15, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "return server.call(nil)", "0"),
        (
            b"-ERR Command arguments must be strings or integers script: "
            b"8f1a489ce09bfaa6a71de8386f777d03c8603ee6, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "return redis.call(1)", "0"),
        (
            b"-ERR Unknown command called from script script: "
            b"9bdfc0557e68d76a6a10c85f455de0f93ee495a7, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "return server.call(1)", "0"),
        (
            b"-ERR Unknown command called from script script: "
            b"765a56efb92b1eb8dd38121cb0cf9bcfe6499f84, on @user_script:1.\r\n"
        ),
        None,
    ),
    (
        ("EVAL", "return {pcall(redis.call, 'nosuch')}", "0"),
        b"*2\r\n$-1\r\n$38\r\nERR Unknown command called from script\r\n",
        b"*2\r\n_\r\n$38\r\nERR Unknown command called from script\r\n",
    ),
    (
        ("EVAL", "return {pcall(server.call, 'nosuch')}", "0"),
        b"*2\r\n$-1\r\n$38\r\nERR Unknown command called from script\r\n",
        b"*2\r\n_\r\n$38\r\nERR Unknown command called from script\r\n",
    ),
    (
        ("EVAL", "return {pcall(error, {err='X y'})}", "0"),
        b"*2\r\n$-1\r\n$3\r\nX y\r\n",
        b"*2\r\n_\r\n$3\r\nX y\r\n",
    ),
    (
        ("EVAL", "return {pcall(error, 'plain')}", "0"),
        b"*2\r\n$-1\r\n$5\r\nplain\r\n",
        b"*2\r\n_\r\n$5\r\nplain\r\n",
    ),
    (
        ("EVAL", "return {pcall(function() return 1, 2 end)}", "0"),
        b"*3\r\n:1\r\n:1\r\n:2\r\n",
        None,
    ),
    (("EVAL", "return {pcall(redis.error_reply, 'E x')}", "0"), b"*2\r\n:1\r\n-E x\r\n", None),
    (("EVAL", "return {pcall(server.error_reply, 'E x')}", "0"), b"*2\r\n:1\r\n-E x\r\n", None),
    (("EVAL", "return type(pcall)", "0"), b"$8\r\nfunction\r\n", None),
    (("EVAL", "return type(pcall)", "0"), b"$8\r\nfunction\r\n", None),
]


@pytest.mark.parametrize("protocol", [2, 3])
@pytest.mark.parametrize(("args", "resp2", "resp3"), API)
def test_api(
    clients: Callable[..., RawClient],
    protocol: int,
    args: tuple[str, ...],
    resp2: bytes,
    resp3: bytes | None,
) -> None:
    client = clients(protocol)
    expected = resp2 if protocol == 2 or resp3 is None else resp3
    assert client.command(*args) == expected


def test_the_eval_family_through_redis_py(r: redis.Redis) -> None:
    r.script_flush()
    r.set("k", "v")
    assert r.eval("return redis.call('get', KEYS[1])", 1, "k") == b"v"
    assert r.eval_ro("return redis.call('get', KEYS[1])", 1, "k") == b"v"
    sha = r.script_load("return {KEYS[1], ARGV[1]}")
    assert sha == "d006f1a90249474274c76f5be725b8f5804a346b"
    assert r.evalsha(sha, 1, "a", "b") == [b"a", b"b"]
    assert r.evalsha_ro(sha, 1, "a", "b") == [b"a", b"b"]
    assert r.script_exists(sha, "0" * 40) == [True, False]
    with pytest.raises(redis.ResponseError, match="^Write commands are not allowed"):
        r.eval_ro("return redis.call('set', KEYS[1], 'x')", 1, "k")
    with pytest.raises(redis.exceptions.NoScriptError):
        r.evalsha("0" * 40, 0)
    script = r.register_script("return redis.call('incrby', KEYS[1], ARGV[1])")
    assert script(keys=["n"], args=[5]) == 5
    assert script(keys=["n"], args=[2]) == 7
    assert r.script_flush() is True
    assert r.script_exists(sha) == [False]
    assert script(keys=["n"], args=[1]) == 8  # redis-py loads it again after NOSCRIPT
