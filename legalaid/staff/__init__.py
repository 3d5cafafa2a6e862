"""A manager's own clinic staff: who they are, and set-up codes for those waiting."""
