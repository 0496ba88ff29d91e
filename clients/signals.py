"""What other apps may listen to.

- client_archived: a client was archived (sender: the Client class; client, user).
- client_restored: an archived client was restored (sender: the Client class; client, archived_at: when
  the client had been archived). A receiver returns sentences the clinic admin should read (what the
  archiving left behind), or an empty list.
- care_team_left: therapists were taken off a client's care team (sender: the Client class; client,
  users). A receiver returns sentences the clinic admin should read (what the therapists leave
  behind), or an empty list.
"""

from django.dispatch import Signal

client_archived = Signal()
client_restored = Signal()
care_team_left = Signal()
