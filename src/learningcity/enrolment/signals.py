"""Signals other apps listen to (the passport records attendance in residents' learning records)."""

from django.dispatch import Signal

# Sent after attendance of a session was recorded and committed: `session`, `registration_ids` (all the
# confirmed registrations whose attendance was set, present or not).
attendance_recorded = Signal()
