"""Marshmallow input schemas shared by the JSON API and the web forms."""
