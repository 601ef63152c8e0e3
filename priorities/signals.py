"""The one signal of the product: a plan's consultation started a new round because it was edited.

Edits are made by services of apps below the plan's life (actions, priorities); the plan's life
(lifecycle, above them) is what must tell the agencies whose answers no longer count. A signal
keeps the imports one way: priorities sends it (Plan.note_edit), lifecycle listens
(lifecycle/apps.py). It is sent inside the edit's transaction.
"""

from django.dispatch import Signal

# Sent with `plan` (its new round is plan.consultation_round) and `previous_round`.
consultation_round_started = Signal()
