"""Data files: the commented ``rest-events.cfg`` and the mailman.cfg lines."""
