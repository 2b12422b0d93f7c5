"""The README walk-through again, on Swift + PostgreSQL and on S3 + sqlite3.

Every test of test_walkthrough.py runs here with `services` started on the
real engines (tests/engines.py; skipped without them).
"""

import pytest

from tests import engines
from tests.functional.services import running_services
from tests.functional.test_walkthrough import *  # noqa: F401,F403  (the tests themselves)


@pytest.fixture(scope="module", params=["swift+postgresql", "s3+sqlite"])
def services(request, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("walkthrough")
    with engines.backend(request.param, workdir) as (env, _):
        with running_services(workdir, extra_env=env) as running:
            yield running
