"""`glance-manage`: administration commands run against paste.ini's options.

    glance-manage db_sync          create or migrate the registry database
    glance-manage show-config      print every option with its value and origin
"""

import argparse
import sys

from paste.deploy import appconfig

from glance.cmd.serve import default_config_path
from glance.common import config
from glance.common.exception import ConfigError


def load_conf(path, app_name="registry"):
    """Options as the named app in paste.ini would see them (env wins)."""
    app_conf = appconfig("config:" + path, name=app_name)
    return config.load(app_conf.global_conf, app_conf.local_conf)


def db_sync(conf, args):
    from glance.registry import db
    version = db.sync(conf)
    print(f"registry database at schema version {version}")
    return 0


def show_config(conf, args):
    for name, converter, default, help_text in config.describe():
        print(f"{name} = {getattr(conf, name)!r}    # {help_text}")
    return 0


COMMANDS = {"db_sync": db_sync, "show-config": show_config}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="glance-manage", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", default=default_config_path(), help="PasteDeploy file")
    parser.add_argument("command", choices=sorted(COMMANDS))
    args = parser.parse_args(argv)
    try:
        conf = load_conf(args.config)
    except ConfigError as exc:
        print(f"glance-manage: {exc.message}", file=sys.stderr)
        return 2
    return COMMANDS[args.command](conf, args)


if __name__ == "__main__":
    sys.exit(main())
