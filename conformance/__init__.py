"""The Glance conformance suite: checks any API or registry server against CONTRACT.md (rev. 2).

Run it with the `glance-conformance` command (`conformance.cli`), or from
Python with `conformance.runner.run`.  Clause ids live in `conformance.clauses`.
"""

__version__ = "2.0"  # judges contract revision 2
