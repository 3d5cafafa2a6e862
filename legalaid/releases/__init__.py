"""Frozen, versioned releases of the plan's indicators, the only source of exports."""
