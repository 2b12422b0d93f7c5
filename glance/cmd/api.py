"""`glance-api`: serve the Glance image API (port 9292) from paste.ini."""

import sys

from glance.cmd import serve


def main(argv=None):
    return serve.main("api", argv)


if __name__ == "__main__":
    sys.exit(main())
