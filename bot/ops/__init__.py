"""One-shot commands (``python -m bot <command>``) and the housekeeping jobs the scheduler runs."""
