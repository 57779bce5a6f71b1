"""Course authoring: a document, pasted text or a voice memo becomes a course outline for L&D to edit and approve."""
