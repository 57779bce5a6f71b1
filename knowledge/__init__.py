"""Knowledge base: handbook documents in, cited answers out. Knows nothing about chat channels.

- ``parsing``: Markdown / HTML / PDF / DOCX / text -> ``ParsedDocument`` (``UnreadableDocument`` on failure)
- ``chunking``: heading-aware passages (~120-250 words) with stable ids
- ``embedding``: the one all-MiniLM-L6-v2 ONNX model per process (or None: lexical-only)
- ``index``: ``KnowledgeIndex`` - Chroma + BM25, reciprocal-rank fusion, audience filter first
- ``feedback``: ``FeedbackStore`` - helpful / unhelpful votes and the ranking penalty they earn
- ``ingest``: ``ingest_paths``, ``remove``, ``list_documents`` (the document registry)
- ``answer``: ``Answerer`` - extractive or LLM answers with [n] citations, or "ask <contact>"
- ``evaluate``: recall@5, MRR, citation accuracy, declined share on a JSONL question set
- ``passage_index``: ``PassageIndex``, the protocol ingestion and answering use (``KnowledgeIndex`` fits it)
- ``base``: ``KnowledgeBase`` (index, answerer, feedback) and ``open_knowledge_base(settings, db)``

Submodules are imported explicitly (``from knowledge.index import KnowledgeIndex``) so that
importing the package does not load Chroma or onnxruntime.
"""
