"""The demo database: fictional partner exports in every format partners send, telling a plausible story."""
