"""Wire schemas of the API, one module per feature; domain objects never go on the wire."""
