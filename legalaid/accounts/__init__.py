"""Staff accounts, sign-in, sessions and roles."""
