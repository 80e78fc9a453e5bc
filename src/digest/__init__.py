"""digest: weekly newsletter and Atom digest generator for German municipal-IT news."""

__version__ = "0.1.0"
