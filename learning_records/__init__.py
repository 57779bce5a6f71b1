"""Learning records in: xAPI 1.0.3 statements validated, stored once, and turned into enrolments and ranked evidence."""
