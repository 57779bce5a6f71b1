"""Understanding what a person typed: which capability they want (the intent catalogue), what it is about
(slots found anywhere in the sentence), and what a follow-up refers to (conversation context).

Channel-neutral and LLM-free by default; an OpenAI-compatible model may propose an intent when one is configured.
"""
