"""The e-mail channel: SMTP and IMAP in, parsing, threading, acknowledgement, replies out."""
