"""Scheduled digests: weekly for managers and (opt-in) employees, overnight for L&D and HR; sent once, at each
person's local time outside quiet hours, even with several schedulers."""
