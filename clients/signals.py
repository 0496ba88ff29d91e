"""What other apps may listen to: a client was archived (sender: the Client class; client, user)."""

from django.dispatch import Signal

client_archived = Signal()
