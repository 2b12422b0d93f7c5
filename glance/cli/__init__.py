"""The `glance` command: list, show, add, update, delete, download and share
images.

Exit status: 0 on success, 1 when the operation failed (the server refused,
could not be reached, or a download did not verify), 2 on usage errors.
Run `glance help` or `glance help COMMAND` for usage; docs/cli.rst has more.

`entry` runs the command line (`main`, the console script); `parser` knows
its options, `catalog` its commands; `commands` (images) and `members`
(sharing) do each command with a `glance.client.Client`; `format` turns
words into image dicts and images into text, `output` is where it reads and
writes, `progress` the transfer bar, `resume` resumable downloads and
`wait` the wait for a server-side copy.
"""

from glance.cli.entry import main

__all__ = ["main"]
