"""The commands of `glance`, in the order `glance help` lists them:
name → (one-line summary, function).  The parser (`glance.cli.parser`)
builds a subcommand from each entry; `glance.cli.entry` runs it."""

from glance.cli import commands, members

COMMANDS = {
    "index": ("list images as a table (every page)", commands.cmd_index),
    "details": ("list images with all their metadata", commands.cmd_details),
    "show": ("show one image's metadata", commands.cmd_show),
    "add": ("add an image: field=value ... [< FILE | --file PATH | copy_from=URL]",
            commands.cmd_add),
    "update": ("change an image's metadata (or give a queued image its data)",
               commands.cmd_update),
    "delete": ("delete an image", commands.cmd_delete),
    "download": ("save an image's data to a file, verifying its checksum",
                 commands.cmd_download),
    "clear": ("delete every image you can see", commands.cmd_clear),
    "image-members": ("list the members an image is shared with",
                      members.cmd_image_members),
    "member-images": ("list the images shared with a member", members.cmd_member_images),
    "member-add": ("share an image with a member", members.cmd_member_add),
    "member-delete": ("stop sharing an image with a member", members.cmd_member_delete),
    "members-replace": ("make the given members an image's only members",
                        members.cmd_members_replace),
    "help": ("show help for the command or for one command", None),
}
