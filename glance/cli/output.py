"""Where the `glance` command reads and writes: the console (its streams
and environment, the test seam), the progress bar's terminal, and files
written whole or not at all."""

import os
import tempfile


class Console:
    """Where a command reads and writes; a seam for tests."""

    def __init__(self, stdin, stdout, stderr, environ):
        self.stdin, self.out, self.err, self.environ = stdin, stdout, stderr, environ

    def say(self, line=""):
        print(line, file=self.out)

    def warn(self, message):
        print(f"glance: {message}", file=self.err)


def show_progress(args, console):
    """A bar only on a terminal: on a pipe or in a log it would be noise."""
    isatty = getattr(console.err, "isatty", None)
    return not args.quiet and bool(isatty and isatty())


def default_name(meta):
    """The file a download goes to without -o: the image's name, never a
    path out of the current directory, else its id."""
    name = os.path.basename((meta.get("name") or "").replace(os.sep, "_")).strip()
    return name if name not in ("", ".", "..") else str(meta["id"])


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
