"""The search expression parser: grammar, fields, values, and errors that point at the position."""

from __future__ import annotations

import pytest

from emulator.backend.search import QueryError, parse
from emulator.backend.search.nodes import And, Compare, Everything, Not, Or, Text, TextMode

NOW = 1_700_000_000.0
DAY = 86400


def test_empty_expression_matches_everything() -> None:
    assert parse("", NOW) == Everything()
    assert parse("   ", NOW) == Everything()


def test_colon_is_a_word_match_and_equals_is_exact() -> None:
    assert parse("tags:cat", NOW) == Text("tags", "cat", TextMode.TOKENS, ("cat",))
    assert parse("tags=cat", NOW) == Text("tags", "cat", TextMode.EXACT)
    assert parse("tag=cat", NOW) == Text("tags", "cat", TextMode.EXACT)  # alias


def test_quoted_values_keep_spaces_and_special_characters() -> None:
    assert parse('tags="sea turtle"', NOW) == Text("tags", "sea turtle", TextMode.EXACT)
    assert parse('context.caption:"x:y (z)"', NOW) == Text("context.caption", "x:y (z)", TextMode.TOKENS,
                                                           ("x", "y", "z"))
    assert parse(r'tags="a \"b\""', NOW) == Text("tags", 'a "b"', TextMode.EXACT)


def test_trailing_wildcard_is_a_prefix() -> None:
    assert parse("public_id=animals/tur*", NOW) == Text("public_id", "animals/tur", TextMode.PREFIX)
    assert parse("public_id:animals/tur*", NOW) == Text("public_id", "animals/tur", TextMode.TOKENS,
                                                        ("animals", "tur"), last_is_prefix=True)
    assert parse(r"tags=a\*", NOW) == Text("tags", "a*", TextMode.EXACT)  # an escaped star is literal


def test_folder_star_means_the_folder_and_everything_below() -> None:
    assert parse("folder:animals/*", NOW) == Or((Text("folder", "animals", TextMode.EXACT),
                                                 Text("folder", "animals/", TextMode.PREFIX)))
    assert parse("folder=animals", NOW) == Text("folder", "animals", TextMode.EXACT)
    assert parse('folder=""', NOW) == Text("folder", "", TextMode.EXACT)


def test_keyword_fields_compare_whole_values_and_format_ignores_case() -> None:
    assert parse("format:JPG", NOW) == Text("format", "jpg", TextMode.EXACT)
    assert parse("resource_type:image", NOW) == Text("resource_type", "image", TextMode.EXACT)
    assert parse("type=upload", NOW) == Text("type", "upload", TextMode.EXACT)


def test_numbers_with_comparisons_units_and_colon_forms() -> None:
    assert parse("bytes>1mb", NOW) == Compare("bytes", ">", 1024 * 1024)
    assert parse("bytes:>=10kb", NOW) == Compare("bytes", ">=", 10 * 1024)
    assert parse("width<=100", NOW) == Compare("width", "<=", 100)
    assert parse("height:480", NOW) == Compare("height", "=", 480)
    assert parse('aspect_ratio="4:3"', NOW) == Compare("aspect_ratio", "=", 4 / 3)


def test_ranges_inclusive_exclusive_and_open() -> None:
    assert parse("width:[100 TO 200}", NOW) == And((Compare("width", ">=", 100), Compare("width", "<", 200)))
    assert parse("bytes:{1kb TO *]", NOW) == And((Compare("bytes", ">", 1024),))
    assert parse("width:[* TO *]", NOW) == Everything()


def test_dates_relative_absolute_and_whole_days() -> None:
    assert parse("created_at>1d", NOW) == Compare("created_at", ">", NOW - DAY)
    assert parse("uploaded_at<2w", NOW) == Compare("created_at", "<", NOW - 14 * DAY)
    assert parse('created_at>"2023-11-14T22:13:20Z"', NOW) == Compare("created_at", ">", 1_700_000_000)
    assert parse("created_at:2023-11-14", NOW) == And((Compare("created_at", ">=", 1_699_920_000),
                                                        Compare("created_at", "<", 1_699_920_000 + DAY)))
    assert parse("created_at:1w", NOW) == Compare("created_at", ">=", NOW - 7 * DAY)
    assert parse("created_at:[2023-11-14 TO 1d]", NOW) == And((Compare("created_at", ">=", 1_699_920_000),
                                                               Compare("created_at", "<=", NOW - DAY)))


def test_precedence_not_binds_tighter_than_and_than_or() -> None:
    a, b, c = (Text("tags", t, TextMode.EXACT) for t in "abc")
    assert parse("tags=a OR tags=b AND tags=c", NOW) == Or((a, And((b, c))))
    assert parse("(tags=a OR tags=b) AND tags=c", NOW) == And((Or((a, b)), c))
    assert parse("tags=a tags=b", NOW) == And((a, b))  # juxtaposition is AND
    assert parse("NOT tags=a", NOW) == Not(a)
    assert parse("-tags=a", NOW) == Not(a)
    assert parse("tags=a && !tags=b || tags=c", NOW) == Or((And((a, Not(b))), c))


def test_a_hyphen_inside_a_value_is_not_a_negation() -> None:
    assert parse("public_id=my-image", NOW) == Text("public_id", "my-image", TextMode.EXACT)


def test_bare_terms_search_every_text_field() -> None:
    assert parse("turtle", NOW) == Text("", "turtle", TextMode.TOKENS, ("turtle",))
    assert parse('"sea turtle"', NOW) == Text("", "sea turtle", TextMode.TOKENS, ("sea", "turtle"))


@pytest.mark.parametrize(("expression", "position", "detail"), [
    ("tags:", 6, "expected a value after 'tags:', found end of expression"),
    ("colour:red", 1, "unknown field 'colour'"),
    ("(tags=a", 8, "expected ')' to close the '(' at position 1"),
    ("tags=a)", 7, "unbalanced ')'"),
    ("public_id:*turtle", 11, "a leading wildcard is not allowed"),
    ("tags=a*b", 7, "a wildcard '*' is allowed only at the end of a value"),
    ('tags="open', 6, "unterminated quoted value"),
    ("tags>3", 5, "operator '>' cannot be used with the text field tags"),
    ("bytes>lots", 7, "bytes needs a number with an optional unit"),
    ("created_at>yesterday", 12, "'yesterday' is not a date"),
    ("width:[1 TO]", 12, "expected the upper end of the range, found ']'"),
    ("width:[1 2]", 10, "expected 'TO' in the range, found '2'"),
    ("tags:[a TO b]", 5, "ranges work on numeric and date fields only"),
    ("AND tags=a", 1, "expected a search term, found 'AND'"),
    ("tags=a OR", 10, "expected a search term, found end of expression"),
    ("width=*", 7, "a wildcard cannot be used with the field width"),
    ("context.:x", 1, "a context field needs a key"),
])
def test_errors_point_at_the_position(expression: str, position: int, detail: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse(expression, NOW)
    assert caught.value.status == 400
    assert caught.value.message.startswith(f"Query Error (at position {position}): {detail}")


def test_limits_on_size_depth_and_clauses() -> None:
    with pytest.raises(QueryError, match="nested more than 32 levels"):
        parse("(" * 40 + "a" + ")" * 40, NOW)
    with pytest.raises(QueryError, match="more than 100 terms"):
        parse(" OR ".join(f"tags=t{i}" for i in range(101)), NOW)
    with pytest.raises(QueryError, match="longer than 4096 characters"):
        parse("a" * 5000, NOW)
