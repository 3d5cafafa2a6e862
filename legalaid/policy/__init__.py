"""Organisation policy as data: the TOML files in ``policies/``, validated at start-up."""
