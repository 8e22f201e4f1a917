"""Process assembly, channels and the command line."""
