"""`python -m glance.cli`: the `glance` command."""

import sys

from glance.cli.entry import main

sys.exit(main())
