"""Forms posted after the session expired: held on the server until the user signs in again."""
