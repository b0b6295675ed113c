"""The skills command line."""
