"""Web chat: an embeddable widget talking to Suivi over a WebSocket (docs/channels/chat.md).

Every customer frame that carries a message is stored raw as an `InboundMessage`
(idempotency key: widget, conversation and the client's message id) before it is
processed, so a resend after a reconnect is recognised and never shown twice.
"""
