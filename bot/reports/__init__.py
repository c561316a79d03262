"""The citizen's side: the report dialog, its evidence, submission, /status and additions."""
