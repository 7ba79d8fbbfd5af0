"""The live inbox: advisors' WebSockets (`/ws/desk/`) and the pushes that feed them.

`handlers` turns domain events into pushes after the commit, `push` sends them through
the channel layer, `consumers` holds the socket, and `fragments` renders each push for
the socket's advisor once their rights are checked. See docs/live.md.
"""
