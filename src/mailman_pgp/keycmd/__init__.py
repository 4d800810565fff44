"""The ``key`` email command's work, imported when a command arrives.

``commands/eml_key.py`` declares the command; Mailman imports every module
of the ``commands`` package in every process, so what the command does
lives here and only the command runner and REST load it.
"""
