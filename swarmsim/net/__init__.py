"""Who answers a connection: overlay address pools and the ingress routing mesh's choice of backend,
as pure functions of the store's data."""
