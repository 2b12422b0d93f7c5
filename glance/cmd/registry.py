"""`glance-registry`: serve the Glance registry (port 9191) from paste.ini."""

import sys

from glance.cmd import serve


def main(argv=None):
    return serve.main("registry", argv)


if __name__ == "__main__":
    sys.exit(main())
