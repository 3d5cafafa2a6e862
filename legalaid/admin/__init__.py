"""Administration: clinics and staff accounts (the admin role; no case content)."""
