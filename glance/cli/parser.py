"""The command line of `glance`: its options and commands, parsed by argparse.

A bad command line raises `UsageError` (printed with the usage, exit 2)
instead of argparse's own exit, so that `glance.cli.entry` decides.
"""

import argparse

DEFAULT_URL = "http://127.0.0.1:9292"
DRY_RUN_COMMANDS = ("add", "update", "delete", "clear", "member-add", "member-delete",
                    "members-replace")


class UsageError(Exception):
    """Bad command line: the message is printed with the usage, exit 2."""


class Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message, self)


def _global_options(parser, default):
    """Options accepted before and after the command (`default` is SUPPRESS on
    the subcommands, so only what is typed there overrides the main parser)."""
    d = (lambda value: default if default is argparse.SUPPRESS else value)
    group = parser.add_argument_group("connection and output")
    group.add_argument("-H", "--host", default=d(None), help="API server host")
    group.add_argument("-p", "--port", type=int, default=d(None), help="API server port")
    group.add_argument("--url", default=d(None),
                       help=f"API server URL (env GLANCE_URL; default {DEFAULT_URL})")
    group.add_argument("--auth-token", default=d(None),
                       help="token for X-Auth-Token (env GLANCE_AUTH_TOKEN)")
    group.add_argument("--timeout", type=float, default=d(60.0), help="socket timeout, seconds")
    group.add_argument("-v", "--verbose", action="store_true", default=d(False))
    group.add_argument("-q", "--quiet", action="store_true", default=d(False),
                       help="no progress bar")


def build_parser(commands):
    """(main parser, {name: subparser}) for `commands`, {name: (summary, function)}."""
    parser = Parser(prog="glance", description="Glance image service command line.",
                    epilog="Exit status: 0 success, 1 failure (e.g. refused by the "
                           "server), 2 usage error.")
    _global_options(parser, None)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    parsers = {}
    for name, (summary, func) in commands.items():
        p = sub.add_parser(name, help=summary, description=summary)
        _global_options(p, argparse.SUPPRESS)
        p.set_defaults(func=func)
        parsers[name] = p
    for name in ("index", "details"):
        parsers[name].add_argument("fields", nargs="*", metavar="FIELD=VALUE",
                                   help="filters: name, status, disk_format, size_min, "
                                        "sort_key, ...; other keys filter properties")
    for name in ("index", "details", "show", "image-members", "member-images"):
        parsers[name].add_argument("--json", action="store_true", help="print JSON")
    for name in ("show", "update", "delete", "download", "image-members", "member-add",
                 "member-delete", "members-replace"):
        parsers[name].add_argument("id", metavar="ID", help="image id or uri")
    for name in ("member-images", "member-add", "member-delete"):
        parsers[name].add_argument("member", metavar="MEMBER", help="member (tenant) id")
    parsers["members-replace"].add_argument("members", nargs="*", metavar="MEMBER",
                                            help="the new members (none: remove all)")
    for name in ("member-add", "members-replace"):
        parsers[name].add_argument("--can-share", action=argparse.BooleanOptionalAction,
                                   default=None,
                                   help="the member may (--no-can-share: may not) share "
                                        "the image further; default: a new member may "
                                        "not, an existing one keeps its right")
    for name in ("add", "update"):
        parsers[name].add_argument("fields", nargs="*", metavar="FIELD=VALUE",
                                   help="core fields by name, copy_from=URL; other keys "
                                        "are properties")
        parsers[name].add_argument("--file", metavar="PATH", help="image data ('-' = stdin)")
        parsers[name].add_argument("--copy-from", metavar="URL",
                                   help="the server copies the data from this http(s) URL "
                                        "(the same as copy_from=URL)")
        parsers[name].add_argument("--wait", action="store_true",
                                   help="with copy_from: wait until the copy has ended "
                                        "(active: exit 0; killed: exit 1)")
        parsers[name].add_argument("--wait-timeout", type=float, metavar="SECONDS",
                                   help="--wait, but give up after SECONDS (exit 1; the "
                                        "copy goes on)")
    parsers["update"].add_argument("--purge-props", action="store_true",
                                   help="replace all properties with the ones given")
    parser.add_argument("--dry-run", action="store_true",
                        help="with " + ", ".join(DRY_RUN_COMMANDS) + ": say what "
                             "would be done, change nothing")
    for name in DRY_RUN_COMMANDS:
        parsers[name].add_argument("--dry-run", action="store_true", default=argparse.SUPPRESS,
                                   help="say what would be done, change nothing")
    parsers["download"].add_argument("-o", "--output", metavar="PATH",
                                     help="file to write ('-' = stdout; default: "
                                          "the image name in the current directory)")
    for name in ("download", "clear"):
        parsers[name].add_argument("--force", action="store_true",
                                   help="overwrite / do not ask for confirmation")
    parsers["help"].add_argument("topic", nargs="?", metavar="COMMAND")
    return parser, parsers
