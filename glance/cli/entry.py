"""The `glance` command from argv to exit status: parse, connect, run one
command, and turn every failure into a message and an exit status (0 success,
1 failed, 2 usage, 130 interrupted) without a traceback."""

import os
import sys

from glance import client as glance_client
from glance.cli.catalog import COMMANDS
from glance.cli.commands import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE
from glance.cli.output import Console
from glance.cli.parser import DEFAULT_URL, DRY_RUN_COMMANDS, UsageError, build_parser


def make_client(args, environ):
    url = args.url or environ.get("GLANCE_URL") or DEFAULT_URL
    token = args.auth_token or environ.get("GLANCE_AUTH_TOKEN") or None
    try:
        client = glance_client.Client.from_url(url, auth_tok=token, timeout=args.timeout)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    client.host = args.host or client.host
    client.port = args.port or client.port
    return client


def run(argv, console):
    parser, parsers = build_parser(COMMANDS)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:             # --help
        return exc.code or EXIT_OK
    if args.command is None:
        parser.print_usage(console.err)
        console.warn("give a command; 'glance help' lists them")
        return EXIT_USAGE
    if args.command == "help":
        if args.topic is None:
            parser.print_help(console.out)
        elif args.topic in parsers:
            parsers[args.topic].print_help(console.out)
        else:
            raise UsageError(f"no command {args.topic!r}; 'glance help' lists them", parser)
        return EXIT_OK
    if args.dry_run and args.command not in DRY_RUN_COMMANDS:
        raise UsageError(f"--dry-run applies to {', '.join(DRY_RUN_COMMANDS)}", parser)
    with make_client(args, console.environ) as client:
        return args.func(args, client, console)


def main(argv=None, *, stdin=None, stdout=None, stderr=None, environ=None):
    """Run the command line; → exit status (streams and environ are test seams)."""
    console = Console(stdin if stdin is not None else sys.stdin.buffer,
                      stdout or sys.stdout, stderr or sys.stderr,
                      os.environ if environ is None else environ)
    try:
        return run(sys.argv[1:] if argv is None else argv, console)
    except UsageError as exc:
        if len(exc.args) > 1:
            exc.args[1].print_usage(console.err)
        console.warn(f"error: {exc.args[0]}")
        return EXIT_USAGE
    except glance_client.ClientConnectionError as exc:
        console.warn(exc.message)
    except glance_client.ClientError as exc:
        status = f" (HTTP {exc.status})" if exc.status else ""
        console.warn(f"error: {exc.message}{status}")
    except OSError as exc:
        console.warn(f"error: {exc}")
    except KeyboardInterrupt:
        console.warn("interrupted")
        return EXIT_INTERRUPTED
    return EXIT_FAILED
