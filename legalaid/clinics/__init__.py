"""Legal aid clinics: the organisational unit that owns cases, staff and sessions."""
