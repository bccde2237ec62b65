"""Projections, one package per bounded context (`projections.<context>`, named as in
`shared.contexts.CONTEXTS`), each exporting its `MANIFEST` (a `ProjectorManifest`).

A projection is a pure function from (current document, event) to the next document
(`engine.Projection`); the engine applies it to MongoDB. Nothing generic imports a context:
the registry (`registry.default_registry`) finds each package by its name.
"""
