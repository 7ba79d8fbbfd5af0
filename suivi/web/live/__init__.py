"""The live inbox: advisors' WebSockets (`/ws/desk/`) and the pushes that feed them.

`consumers` holds the socket, `handlers` turns domain events into pushes after the
commit, `push` sends them through the channel layer. See docs/live.md.
"""
