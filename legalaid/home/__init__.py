"""The signed-in home page (``/home``): each role's work of today, from every feature."""
