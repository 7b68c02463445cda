"""Signals other apps listen to."""

from django.dispatch import Signal

# Sent inside the transaction that takes `member` off `by`'s family list, just before it is marked
# removed: the passport erases the learning record kept for them (and revokes their credentials).
family_member_removing = Signal()
