"""The entry points: one module per executable, each a `console_scripts`
entry in setup.py (`glance-api`, `glance-registry`, `glance-manage`; the
`glance` command is `glance.cli`), each also runnable as `python -m`.

`serve` loads a server from paste.ini for `api` and `registry`; `manage`
holds the administration commands, among them `fsck`."""
