"""Helpers shared by the apps' views and forms: htmx partials, form errors, ISO date
inputs and pagination. It imports no app, so every app may import it."""
