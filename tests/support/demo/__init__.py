"""A throw-away bounded context, `demo`, built by the README's "Adding a bounded context" recipe
and used only by the tests: a tally (one aggregate) that counts (one command), a view of it
(one projection) and a read route (one view). `shared.py`, `command.py`, `projector.py` and
`query.py` are what `shared/demo/`, `command_service/demo/`, `projector_service/projections/demo/`
and `query_service/demo/` would hold."""
