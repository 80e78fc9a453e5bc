"""Delivery: MIME messages for subscribers."""
