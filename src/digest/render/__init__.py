"""Rendering: the store's weekly issues as email, plain text, .eml, web pages and Atom feeds."""
