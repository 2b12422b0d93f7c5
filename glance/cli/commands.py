"""The image commands of `glance`: list, show, add, update, delete,
download, clear (the sharing commands are in `glance.cli.members`).

Each `cmd_*(args, client, console)` does one command with a connected
client and returns the exit status: 0 on success, 1 when the operation
failed (a refusal the command reports itself, a declined confirmation, a
copy that ended `killed`).  Errors it does not handle propagate to
`glance.cli.entry`.
"""

import math
import os
import stat

from glance import client as glance_client
from glance.cli import resume, wait
from glance.cli.format import (describe, parse_fields, parse_filters, print_block, print_json,
                               print_table, text)
from glance.cli.output import default_name, show_progress, write_atomically
from glance.cli.parser import UsageError
from glance.cli.progress import ProgressBar, human_size

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


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


def _copy_source(args):
    """The URL of `copy_from=URL` or `--copy-from URL` (moved out of
    `args.meta`), or None; a copy excludes `location=` and needs a URL."""
    word, option = args.meta.pop("copy_from", None), args.copy_from
    if word is not None and option is not None and word != option:
        raise UsageError("copy_from= and --copy-from name different URLs")
    url = word if word is not None else option
    if url is not None and not url.strip():
        raise UsageError("copy_from needs a URL")
    if url is not None and "location" in args.meta:
        raise UsageError("give either location= or copy_from=, not both")
    if url is None and (args.wait or args.wait_timeout is not None):
        raise UsageError("--wait applies to copy_from: nothing else is copied in the "
                         "background")
    if args.wait_timeout is not None and not 0 <= args.wait_timeout < math.inf:
        raise UsageError(f"--wait-timeout takes seconds, got {args.wait_timeout}")
    return url and url.strip()


def _data_source(args, console, implicit_stdin, copy_from=None):
    """(binary file or None, total size or None, label) for an upload."""
    path = args.file
    if path is None and implicit_stdin and "location" not in args.meta \
            and copy_from is None and _stdin_has_data(console.stdin):
        path = "-"
    if path is None:
        return None, None, None
    if "location" in args.meta:
        raise UsageError("give either location= or data, not both")
    if copy_from is not None:
        raise UsageError("give either copy_from= or data, not both")
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


def _upload(args, client, console, call, copy_from=None):
    source, total, label = _data_source(args, console, args.command == "add", copy_from)
    if args.dry_run:
        data = f" and data from {label}" if source else ""
        data += f" and data copied by the server from {copy_from}" if copy_from else ""
        console.say(f"Dry run: would {args.command} an image with {describe(args.meta)}{data}")
        return None
    if source is None:
        return call(None)
    bar = ProgressBar(console.err, total, enabled=show_progress(args, console))
    try:
        return call(bar.wrap(glance_client.upload_chunks(source)))
    finally:
        bar.finish()
        if source is not console.stdin:
            source.close()


def _after_copy(args, client, console, image, copy_from):
    """After a copy-from answer: say that the copy runs on, or (`--wait`)
    follow it to its end → the exit status."""
    if not copy_from:
        return EXIT_OK
    number = image["id"]
    if not args.wait and args.wait_timeout is None:
        if not args.quiet:
            console.warn(f"the server copies the data in the background; 'glance show "
                         f"{number}' says when image {number} is active (or use --wait)")
        return EXIT_OK

    def report(status):
        if not args.quiet:
            console.warn(f"image {number}: {status}")
    meta = wait.until_settled(client, number, report, timeout=args.wait_timeout)
    status = meta.get("status")
    if status == "active":
        console.say(f"Image {number} is active ({human_size(meta.get('size'))})")
        return EXIT_OK
    if status == "killed":
        console.warn(f"error: the copy into image {number} failed: it is killed ("
                     "'glance details --json status=killed' shows its status_reason)")
    elif status == "queued":
        console.warn(f"error: the server has not started copying into image {number} "
                     "(does it support copy-from?)")
    elif status == "saving":
        console.warn(f"error: image {number} is still saving; the copy goes on")
    else:
        console.warn(f"error: image {number} ended {status}, not active")
    return EXIT_FAILED


def cmd_add(args, client, console):
    args.meta = parse_fields(args.fields)
    copy_from = _copy_source(args)
    image = _upload(args, client, console, lambda data: client.add_image(
        args.meta, data, copy_from=copy_from), copy_from)
    return _report(args, client, console, image, copy_from, "Added new image with ID: {id}")


def cmd_update(args, client, console):
    args.meta = parse_fields(args.fields)
    copy_from = _copy_source(args)
    if not args.meta and args.file is None and not args.purge_props and not copy_from:
        raise UsageError("nothing to update: give field=value pairs, --file or copy_from=")
    number = image_id(args.id)
    if args.dry_run:
        client.get_image_meta(number)   # a dry run still reports an unknown id
    image = _upload(args, client, console, lambda data: client.update_image(
        number, args.meta, data, purge_props=args.purge_props, copy_from=copy_from),
        copy_from)
    return _report(args, client, console, image, copy_from, "Updated image {id}")


def _report(args, client, console, image, copy_from, said):
    """What add and update print once the server answered (`image`; None
    after a dry run): `said` with the image's id, the image with
    --verbose, and the wait for a copy."""
    if image is None:
        return EXIT_OK
    console.say(said.format(id=image["id"]))
    if args.verbose:
        print_block(console.say, image)
    return _after_copy(args, client, console, image, copy_from)


def cmd_delete(args, client, console):
    number = image_id(args.id)
    if args.dry_run:
        meta = client.get_image_meta(number)
        console.say(f"Dry run: would delete image {number} ({text(meta.get('name'))})")
        return EXIT_OK
    client.delete_image(number)
    console.say(f"Deleted image {number}")
    return EXIT_OK


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
        path = args.output or default_name(meta)
        if os.path.exists(path) and not args.force:
            raise UsageError(f"{path} exists: use --force to overwrite it or -o PATH")
        bar = ProgressBar(console.err, meta.get("size"), show_progress(args, console))
        try:
            if resume.resumable(meta):
                resume.download(client, number, meta, chunks, path, bar, console.warn)
            else:
                write_atomically(path, bar.wrap(chunks))
        finally:
            bar.finish()
    if not args.quiet:
        console.say(f"Saved image {number} to {path} ({human_size(bar.done)})")
    return EXIT_OK


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

