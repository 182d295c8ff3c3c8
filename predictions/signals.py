"""Signals other apps listen to; predictions never imports them (dependencies point one way)."""

from django.dispatch import Signal

# Sent by the demo loader for each new demo prediction, before it is resolved, with
# `slug` and `prediction`. A receiver may attach evidence and return a dict of evidence
# links by role ({"resolves": link}) that the loader then cites.
demo_prediction_created = Signal()
