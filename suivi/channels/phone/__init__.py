"""Phone channel: calls from any PBX or CPaaS through signed CTI webhooks."""
