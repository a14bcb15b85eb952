"""The shared kernel of the domain: its one error type, value validators and settings.

Nothing here imports Flask: pages, the API and the CLI call in, never the other way round.
"""
