"""AI-assisted course authoring: a document becomes a draft course outline (objectives, modules, skills, an
assessment quoted from the source) that L&D approves before it enters the catalogue."""
