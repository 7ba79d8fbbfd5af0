"""Channel adapters: every way a customer reaches us, to and from interactions.

Each adapter follows the walk of one inbound message (docs/channels/email.md): store the
raw payload as an `InboundMessage` in one short transaction, acknowledge the sender, then
process it in a task that is retried with backoff and parked as "needs attention" after
the last attempt. E-mail (`suivi.channels.email`) is the model for the others.
"""
