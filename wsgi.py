"""WSGI entry point (gunicorn wsgi:app, flask --app wsgi run); never starts the scheduler."""

from reintegrate import create_app

app = create_app()
