"""The `glance` command: list, show, add, update, delete and download images.

Exit status: 0 on success, 1 when the operation failed (the server refused,
could not be reached, or a download did not verify), 2 on usage errors.
Run `glance help` or `glance help COMMAND` for usage; docs/cli.rst has more.
"""

import argparse
import os
import stat
import sys
import tempfile

from glance import cli_resume
from glance import client as glance_client
from glance.cli_format import (UsageError, describe, parse_fields, parse_filters,
                               print_block, print_json, print_table, text)
from glance.cli_progress import ProgressBar, human_size

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
DEFAULT_URL = "http://127.0.0.1:9292"
DRY_RUN_COMMANDS = ("add", "update", "delete", "clear")


class Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message, self)


class Console:
    """Where a command reads and writes; a seam for tests."""

    def __init__(self, stdin, stdout, stderr, environ):
        self.stdin, self.out, self.err, self.environ = stdin, stdout, stderr, environ

    def say(self, line=""):
        print(line, file=self.out)

    def warn(self, message):
        print(f"glance: {message}", file=self.err)


def image_id(word):
    try:
        return glance_client.image_id_of(word)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


# -- commands --------------------------------------------------------------------

def cmd_index(args, client, console):
    images = list(client.iter_images(**parse_filters(args.fields)))
    if args.json:
        print_json(console.say, images)
    elif images:
        print_table(console.say, images)
    else:
        console.say("No images found.")
    return EXIT_OK


def cmd_details(args, client, console):
    images = list(client.iter_images_detailed(**parse_filters(args.fields)))
    if args.json:
        print_json(console.say, images)
        return EXIT_OK
    if not images:
        console.say("No images found.")
    for image in images:
        print_block(console.say, image)
        console.say("=" * 60)
    return EXIT_OK


def cmd_show(args, client, console):
    image = client.get_image_meta(image_id(args.id))
    if args.json:
        print_json(console.say, image)
    else:
        print_block(console.say, image)
    return EXIT_OK


def _stdin_has_data(stream):
    """A redirected file or a pipe carries data; a terminal or /dev/null not."""
    try:
        mode = os.fstat(stream.fileno()).st_mode
    except (AttributeError, OSError, ValueError):
        return True                     # an in-memory stream (tests)
    return stat.S_ISREG(mode) or stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


def _data_source(args, console, implicit_stdin):
    """(binary file or None, total size or None, label) for an upload."""
    path = args.file
    if path is None and implicit_stdin and "location" not in args.meta \
            and _stdin_has_data(console.stdin):
        path = "-"
    if path is None:
        return None, None, None
    if "location" in args.meta:
        raise UsageError("give either location= or data, not both")
    try:
        source = console.stdin if path == "-" else open(path, "rb")
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    try:
        info = os.fstat(source.fileno())
        total = info.st_size if stat.S_ISREG(info.st_mode) else None
        if total is not None and path == "-":
            total -= source.tell()
    except (AttributeError, OSError, ValueError):
        total = None
    return source, total, "standard input" if path == "-" else path


def _upload(args, client, console, call):
    source, total, label = _data_source(args, console, args.command == "add")
    if args.dry_run:
        data = f" and data from {label}" if source else ""
        console.say(f"Dry run: would {args.command} an image with {describe(args.meta)}{data}")
        return None
    if source is None:
        return call(None)
    bar = ProgressBar(console.err, total, enabled=_show_progress(args, console))
    try:
        return call(bar.wrap(glance_client.upload_chunks(source)))
    finally:
        bar.finish()
        if source is not console.stdin:
            source.close()


def cmd_add(args, client, console):
    args.meta = parse_fields(args.fields)
    image = _upload(args, client, console, lambda data: client.add_image(args.meta, data))
    if image is not None:
        console.say(f"Added new image with ID: {image['id']}")
        if args.verbose:
            print_block(console.say, image)
    return EXIT_OK


def cmd_update(args, client, console):
    args.meta = parse_fields(args.fields)
    if not args.meta and args.file is None and not args.purge_props:
        raise UsageError("nothing to update: give field=value pairs or --file")
    number = image_id(args.id)
    if args.dry_run:
        client.get_image_meta(number)   # a dry run still reports an unknown id
    image = _upload(args, client, console, lambda data: client.update_image(
        number, args.meta, data, purge_props=args.purge_props))
    if image is not None:
        console.say(f"Updated image {image['id']}")
        if args.verbose:
            print_block(console.say, image)
    return EXIT_OK


def cmd_delete(args, client, console):
    number = image_id(args.id)
    if args.dry_run:
        meta = client.get_image_meta(number)
        console.say(f"Dry run: would delete image {number} ({text(meta.get('name'))})")
        return EXIT_OK
    client.delete_image(number)
    console.say(f"Deleted image {number}")
    return EXIT_OK


def _show_progress(args, console):
    isatty = getattr(console.err, "isatty", None)
    return not args.quiet and bool(isatty and isatty())


def _default_name(meta):
    name = os.path.basename((meta.get("name") or "").replace(os.sep, "_")).strip()
    return name if name not in ("", ".", "..") else str(meta["id"])


def cmd_download(args, client, console):
    number = image_id(args.id)
    meta, chunks = client.get_image(number, checksum=True)
    with chunks:
        if not meta.get("checksum"):
            console.warn(f"image {number} has no checksum: the data cannot be verified")
        if args.output == "-":
            for chunk in chunks:
                console.out.buffer.write(chunk) if hasattr(console.out, "buffer") \
                    else console.out.write(chunk)
            console.out.flush()
            return EXIT_OK
        path = args.output or _default_name(meta)
        if os.path.exists(path) and not args.force:
            raise UsageError(f"{path} exists: use --force to overwrite it or -o PATH")
        bar = ProgressBar(console.err, meta.get("size"), _show_progress(args, console))
        try:
            if cli_resume.resumable(meta):
                cli_resume.download(client, number, meta, chunks, path, bar, console.warn)
            else:
                write_atomically(path, bar.wrap(chunks))
        finally:
            bar.finish()
    if not args.quiet:
        console.say(f"Saved image {number} to {path} ({human_size(bar.done)})")
    return EXIT_OK


def write_atomically(path, chunks):
    """Write to a temporary file beside `path`, fsync, rename; on any failure
    (a checksum mismatch, a broken connection, Ctrl-C) remove it."""
    directory, name = os.path.split(os.path.abspath(path))
    fd, temporary = tempfile.mkstemp(dir=directory, prefix=f".{name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            for chunk in chunks:
                f.write(chunk)
            f.flush()
            os.fsync(f.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise


def cmd_clear(args, client, console):
    interactive = hasattr(console.stdin, "isatty") and console.stdin.isatty()
    if not (args.force or args.dry_run or interactive):
        raise UsageError("clear deletes every image: confirm on a terminal or use --force")
    try:
        images = list(client.iter_images(is_public="none"))
    except glance_client.NotAuthorized:     # not an admin: what the caller sees
        images = list(client.iter_images())
    if not images:
        console.say("No images to delete.")
        return EXIT_OK
    if args.dry_run:
        for image in images:
            console.say(f"Dry run: would delete image {image['id']} ({text(image.get('name'))})")
        return EXIT_OK
    if not args.force:
        console.err.write(f"Delete all {len(images)} images? [y/N] ")
        console.err.flush()
        answer = console.stdin.readline()
        if isinstance(answer, bytes):
            answer = answer.decode("utf-8", "replace")
        if answer.strip().lower() not in ("y", "yes"):
            console.say("Nothing deleted.")
            return EXIT_FAILED
    deleted = 0
    for image in images:
        try:
            client.delete_image(image["id"])
        except (glance_client.NotFound, glance_client.NotAuthorized) as exc:
            console.warn(f"image {image['id']} not deleted: {exc.message}")
            continue
        deleted += 1
        if args.verbose:
            console.say(f"Deleted image {image['id']}")
    console.say(f"Deleted {deleted} of {len(images)} images.")
    return EXIT_OK if deleted == len(images) else EXIT_FAILED


# -- the command line -------------------------------------------------------------

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


COMMANDS = {
    "index": ("list images as a table (every page)", cmd_index),
    "details": ("list images with all their metadata", cmd_details),
    "show": ("show one image's metadata", cmd_show),
    "add": ("add an image: field=value ... [< FILE | --file PATH]", cmd_add),
    "update": ("change an image's metadata (or upload a queued image's data)", cmd_update),
    "delete": ("delete an image", cmd_delete),
    "download": ("save an image's data to a file, verifying its checksum", cmd_download),
    "clear": ("delete every image you can see", cmd_clear),
    "help": ("show help for the command or for one command", None),
}


def build_parser():
    parser = Parser(prog="glance", description="Glance image service command line.",
                    epilog="Exit status: 0 success, 1 failure (e.g. refused by the "
                           "server), 2 usage error.")
    _global_options(parser, None)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    parsers = {}
    for name, (summary, func) in COMMANDS.items():
        p = sub.add_parser(name, help=summary, description=summary)
        _global_options(p, argparse.SUPPRESS)
        p.set_defaults(func=func)
        parsers[name] = p
    for name in ("index", "details"):
        parsers[name].add_argument("fields", nargs="*", metavar="FIELD=VALUE",
                                   help="filters: name, status, disk_format, size_min, "
                                        "sort_key, ...; other keys filter properties")
    for name in ("index", "details", "show"):
        parsers[name].add_argument("--json", action="store_true", help="print JSON")
    for name in ("show", "update", "delete", "download"):
        parsers[name].add_argument("id", metavar="ID", help="image id or uri")
    for name in ("add", "update"):
        parsers[name].add_argument("fields", nargs="*", metavar="FIELD=VALUE",
                                   help="core fields by name; other keys are properties")
        parsers[name].add_argument("--file", metavar="PATH", help="image data ('-' = stdin)")
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
    parser, parsers = build_parser()
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


if __name__ == "__main__":
    sys.exit(main())
