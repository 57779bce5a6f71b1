"""Privacy rights: everything Ladder holds about a person, exported (GDPR Art. 15 and 20, CCPA right to know);
erased once HR approves (Art. 17, CCPA right to delete); and personal free text purged after a configured age.

    export      the typed export (JSON-serialisable, with a schema version) and its readable summary
    erasure     the erasure job: per-store steps recorded as they finish, so an interrupted erasure resumes
    pseudonym   the keyed pseudonym an erased person's audit entries keep
    retention   the retention purge and its last run
"""
