"""The read side's writer: consumes the Kafka topics and keeps MongoDB read models current.

Generic machinery (`engine`, `dead_letters`, `rebuild`, `read_models`, `live`, `cli`), composed
in `app` from the registry (`registry`) of every context's projections (`projections.<context>`,
each a `manifest.ProjectorManifest`). Nothing generic imports a context.
"""
