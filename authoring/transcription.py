"""A voice memo becomes text through an OpenAI-compatible speech endpoint (``POST {base}/audio/transcriptions``).

Not configured, unreachable, an error status, an empty transcript: each raises ``SourceProblem`` with the reply a
person reads, and nothing is stored.
"""

from __future__ import annotations

from pathlib import Path

from authoring.sources import SourceProblem


def transcribe(path: Path, *, base_url: str | None, model: str, api_key: str | None, timeout: float,
               max_bytes: int, transport=None) -> str:
    import httpx

    if not base_url:
        raise SourceProblem("I can't listen to voice memos here: no speech-to-text service is configured "
                            "(TRANSCRIPTION_BASE_URL). Paste the text or share a document instead.", "transcription")
    size = path.stat().st_size
    if size > max_bytes:
        raise SourceProblem(f"{path.name} is too large: {size / 1e6:.1f} MB, and the limit is {max_bytes / 1e6:.0f} MB.",
                            "too_large")
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    try:
        with httpx.Client(timeout=timeout, transport=transport) as client:
            response = client.post(base_url.rstrip("/") + "/audio/transcriptions", headers=headers,
                                   data={"model": model, "response_format": "json"},
                                   files={"file": (path.name, path.read_bytes(), "application/octet-stream")})
        response.raise_for_status()
        text = response.json().get("text", "")
    except (httpx.HTTPError, ValueError, AttributeError) as exc:
        raise SourceProblem(f"The transcription of {path.name} failed ({exc.__class__.__name__}), so I drafted "
                            "nothing. Try again later, or paste the text.", "transcription") from None
    if not isinstance(text, str) or not text.strip():
        raise SourceProblem(f"The transcription of {path.name} came back empty, so I drafted nothing.", "transcription")
    return text
