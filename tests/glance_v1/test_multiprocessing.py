"""Glance's `glance/tests/functional/v1/test_multiprocessing.py`, its HTTP-level part.

Our own servers run with paste.ini's `workers = 2` (the upstream test's
setting); an external target runs as it was started.

Left out:
- test_interrupt_avoids_respawn_storm: it sends SIGINT to the API's worker
  processes (found with psutil) and watches the process table; that is
  process management, not HTTP, and needs the target's process ids.  Our
  own worker supervision is covered by tests/functional/test_worker_death.py.
"""


def test_multiprocessing(target):
    """The API answers with its workers up."""
    answer = target.request("GET", "/v1/images")
    assert answer.status == 200, answer.describe()
    assert answer.body == b'{"images": []}'
