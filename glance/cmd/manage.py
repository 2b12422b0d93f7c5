"""`glance-manage`: administration commands run against paste.ini's options.

    glance-manage db_sync                  create or migrate the registry database
    glance-manage show-config              print every option with its value
    glance-manage token-create --tenant T  add a token (token mode); prints it once
    glance-manage token-list               list tokens (never their secrets)
    glance-manage token-revoke KEY         remove a token
    glance-manage fsck [--repair|--dry-run] re-hash stored data, cross-check registry and store
"""

import argparse
import os
import sys

from paste.deploy import appconfig

from glance.cmd import fsck
from glance.cmd.serve import default_config_path
from glance.common import config, tokens
from glance.common.exception import ConfigError


def load_conf(path, app_name="registry"):
    """Options as the named app in paste.ini would see them (env wins)."""
    app_conf = appconfig("config:" + os.path.abspath(path), name=app_name)
    return config.load(app_conf.global_conf, app_conf.local_conf)


def db_sync(conf, args):
    from glance.registry import db
    version = db.sync(conf)
    print(f"registry database at schema version {version}")
    return 0


def show_config(conf, args):
    for name, converter, default, help_text in config.describe():
        print(f"{name} = {config.shown_value(name, getattr(conf, name))!r}    # {help_text}")
    return 0


def token_create(conf, args):
    path = args.file or conf.auth_tokens_file
    roles = [role.strip().lower() for role in args.roles.split(",") if role.strip()]
    token = tokens.create_token(path, args.tenant, args.user, roles)
    print(token)
    print(f"(added to {path}; this token is not shown again)", file=sys.stderr)
    return 0


def token_list(conf, args):
    for entry in tokens.list_tokens(args.file or conf.auth_tokens_file):
        print(f"{entry['key']}  tenant={entry['tenant']}  user={entry['user']}  "
              f"roles={','.join(entry['roles']) or '-'}  created={entry['created_at']}")
    return 0


def token_revoke(conf, args):
    if tokens.revoke_token(args.file or conf.auth_tokens_file, args.key):
        print(f"revoked token {args.key}")
        return 0
    print(f"glance-manage: no token with key {args.key}", file=sys.stderr)
    return 1


def _token_file_option(parser):
    parser.add_argument("--file", help="token file (default: auth_tokens_file)")


def _token_create_options(parser):
    parser.add_argument("--tenant", required=True, help="tenant the token acts for")
    parser.add_argument("--user", help="user name recorded with the token")
    parser.add_argument("--roles", default="", help="comma-separated roles, e.g. admin,member")
    _token_file_option(parser)


def _token_revoke_options(parser):
    parser.add_argument("key", help="the token's public key (see token-list)")
    _token_file_option(parser)


# name -> (function, help, function adding the command's own arguments)
COMMANDS = {
    "db_sync": (db_sync, "create or migrate the registry database", None),
    "show-config": (show_config, "print every option with its value", None),
    "token-create": (token_create, "add a token and print it once", _token_create_options),
    "token-list": (token_list, "list tokens without their secrets", _token_file_option),
    "token-revoke": (token_revoke, "remove a token", _token_revoke_options),
    "fsck": (fsck.run, "re-hash stored data; cross-check registry and store", fsck.add_options),
}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="glance-manage", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", default=default_config_path(), help="PasteDeploy file")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (function, help_text, add_options) in COMMANDS.items():
        sub = commands.add_parser(name, help=help_text)
        if add_options:
            add_options(sub)
    args = parser.parse_args(argv)
    try:
        conf = load_conf(args.config)
        return COMMANDS[args.command][0](conf, args)
    except ConfigError as exc:       # a bad option, or a file a command reads (tokens)
        print(f"glance-manage: {exc.message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
