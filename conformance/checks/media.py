"""Non-JSON success bodies (speech audio, transcripts as text): the Content-Type of the format asked for."""

from conformance.checks.base import Finding, Level, check


def _typed_body(ex) -> bool:
    return ex.ok and ex.media is not None and not ex.media.json and bool(ex.media.types)


@check("media.content-type", Level.MUST, "Making requests", applies=_typed_body)
def content_type(ex, expect):
    """A non-JSON success body has the Content-Type of its response_format (mp3 audio/mpeg, text text/plain, ...)."""
    seen = ex.response.headers.get("content-type", "")
    if seen.split(";")[0].strip().lower() not in ex.media.types:
        yield Finding(" or ".join(ex.media.types), seen or "(no Content-Type)", "header:content-type", ex.operation.section)
