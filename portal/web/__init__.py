"""Blueprints for the server-rendered pages."""
