"""Images API v1 (CONTRACT §2, §3): the app served under `/v1`, `/v1.0`,
`/v1.1` and unversioned paths, as real Glance v1 spoke it where clients notice."""
