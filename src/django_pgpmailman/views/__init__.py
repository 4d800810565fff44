"""The app's views: lists (index, info, settings, approvals, archive),
keys (the user's own keys) and wkd (Web Key Directory)."""
