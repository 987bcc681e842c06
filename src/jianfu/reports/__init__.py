"""Outcome over time (减负实效): carriers active on two dates, decisions, hours and the per-cadre burden."""
