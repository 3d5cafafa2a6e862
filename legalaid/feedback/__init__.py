"""Anonymous client feedback: one-time codes, a public form, disclosure-controlled counts."""
