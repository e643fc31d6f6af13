"""WSGI entry point (gunicorn wsgi:app, flask --app wsgi run); never starts the scheduler."""

from reintegrate import create_web_worker

app = create_web_worker()
