"""The sharing commands of `glance` (CONTRACT §2, "Members (v1)"), named as
in early Glance's command: `image-members`, `member-images`, `member-add`,
`member-delete`, `members-replace`.

Each `cmd_*(args, client, console)` does one command, as in
`glance.cli.commands`; who may share is the server's rule, and its refusal
(403, or 404 for an image the caller cannot see) is printed by
`glance.cli.entry` with exit status 1.
"""

from glance.cli.commands import EXIT_OK, image_id
from glance.cli.format import print_json, print_rows, text
from glance.cli.parser import UsageError


def member(word):
    """A member (tenant) id from the command line: any text but blank."""
    if not word.strip():
        raise UsageError("a member id must not be empty")
    return word


def _can_share_note(can_share):
    return {True: " (may share it further)", False: " (may not share it further)",
            None: ""}[can_share]


def cmd_image_members(args, client, console):
    members = client.get_image_members(image_id(args.id))
    if args.json:
        print_json(console.say, members)
    elif members:
        print_rows(console.say, ["Member", "Can share"],
                   [[text(m.get("member_id")), text(bool(m.get("can_share")))]
                    for m in members])
    else:
        console.say("No members.")
    return EXIT_OK


def cmd_member_images(args, client, console):
    shared = client.get_member_images(member(args.member))
    if args.json:
        print_json(console.say, shared)
    elif shared:
        print_rows(console.say, ["Image ID", "Can share"],
                   [[text(s.get("image_id")), text(bool(s.get("can_share")))]
                    for s in shared])
    else:
        console.say(f"No images shared with {args.member}.")
    return EXIT_OK


def cmd_member_add(args, client, console):
    number, tenant = image_id(args.id), member(args.member)
    note = _can_share_note(args.can_share)
    if args.dry_run:
        client.get_image_meta(number)   # a dry run still reports an unknown id
        console.say(f"Dry run: would share image {number} with {tenant}{note}")
        return EXIT_OK
    client.add_member(number, tenant, args.can_share)
    console.say(f"Shared image {number} with {tenant}{note}")
    return EXIT_OK


def cmd_member_delete(args, client, console):
    number, tenant = image_id(args.id), member(args.member)
    if args.dry_run:
        client.get_image_meta(number)
        console.say(f"Dry run: would stop sharing image {number} with {tenant}")
        return EXIT_OK
    client.delete_member(number, tenant)
    console.say(f"Image {number} is no longer shared with {tenant}")
    return EXIT_OK


def cmd_members_replace(args, client, console):
    number = image_id(args.id)
    tenants = list(dict.fromkeys(member(word) for word in args.members))
    who = (", ".join(tenants) + " only" + _can_share_note(args.can_share) if tenants
           else "no one")
    if args.dry_run:
        client.get_image_meta(number)
        console.say(f"Dry run: would share image {number} with {who}")
        return EXIT_OK
    client.replace_members(number, [{"member_id": t, "can_share": args.can_share}
                                    for t in tenants])
    console.say(f"Image {number} is shared with {who}")
    return EXIT_OK
