"""Administration: users, services (agents, templates, sender), API tokens, the outbox.

Pages under /admin and the API (/api/users, /api/services) call these functions;
each validates everything first, writes nothing when a rule fails and commits once.
"""
