"""Domain services: plain functions taking a Session and an Actor; they never commit."""
