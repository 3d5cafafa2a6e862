"""The append-only, HMAC-chained audit log: who did what to which record, never content."""
