"""The read side's HTTP API: answers from MongoDB read models only. Generic machinery (`api/`,
`reads/`, the registry) plus one package per bounded context (`commerce/`), each exporting a
`MANIFEST` that the registry merges."""
