"""Moderation semantics beyond the schema: one result per input, matching category maps, flagged as they say."""

from conformance.checks.base import Finding, Level, check, succeeded

SECTION = "Moderations > Create moderation"
_moderation = succeeded("POST /moderations")


def _results(ex) -> list[dict]:
    results = ex.data.get("results")
    return [r for r in results if isinstance(r, dict)] if isinstance(results, list) else []


def _input_count(value: object) -> int:
    # An array of strings is one input each; a string, or an array of multi-modal parts, is one input.
    return len(value) if isinstance(value, list) and value and all(isinstance(v, str) for v in value) else 1


@check("moderation.results-count", Level.MUST, SECTION, applies=_moderation)
def one_result_per_input(ex, expect):
    """There is one result per input."""
    wanted, seen = _input_count(ex.params.get("input")), len(_results(ex))
    if seen != wanted:
        yield Finding(f"{wanted} result(s)", f"{seen} result(s)", "/results")


@check("moderation.category-keys", Level.MUST, SECTION, applies=_moderation)
def same_categories(ex, expect):
    """Each result's categories and category_scores name the same categories."""
    for index, result in enumerate(_results(ex)):
        categories, scores = result.get("categories"), result.get("category_scores")
        if isinstance(categories, dict) and isinstance(scores, dict) and set(categories) != set(scores):
            only = sorted(set(categories) ^ set(scores))
            yield Finding("the same keys in categories and category_scores", f"keys in only one of them: {only}", f"/results/{index}")


@check("moderation.flagged", Level.MUST, SECTION, applies=_moderation)
def flagged_as_categories_say(ex, expect):
    """flagged is true exactly when one of the result's categories is true."""
    for index, result in enumerate(_results(ex)):
        categories = result.get("categories")
        if isinstance(categories, dict) and isinstance(result.get("flagged"), bool):
            wanted = any(v is True for v in categories.values())
            if result["flagged"] != wanted:
                true = sorted(k for k, v in categories.items() if v is True)
                yield Finding(f"flagged {str(wanted).lower()} (true categories: {true or 'none'})", str(result["flagged"]).lower(), f"/results/{index}/flagged")
