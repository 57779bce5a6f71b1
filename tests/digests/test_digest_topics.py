"""Grouping unanswered questions by shared keywords, and finding the page that would answer them (pure)."""

from __future__ import annotations

from digests.topics import closest_document, group, keywords


def test_keywords_drop_stop_words_and_fold_plurals():
    assert keywords("How many days of parental leave do I get?") == ["day", "parental", "leave"]
    assert keywords("Are dogs allowed?") == ["dog", "allowed"]
    assert keywords("the bus pass") == ["bus", "pass"]


def test_questions_meet_under_the_keyword_they_share_most():
    topics = group(["Is parental leave paid?", "parental leave for adoption", "how long is parental leave",
                    "can I expense a conference ticket?", "conference travel expenses", "hello?"])
    names = [(t.keyword, len(t.questions)) for t in topics]
    assert names[0] == ("leave · parental", 3)
    assert ("conference · expense", 2) in names
    assert ("other", 1) in names  # nothing to go on


def test_the_closest_page_shares_the_most_words_or_there_is_none():
    docs = [("Parental leave", "leave", "handbook/parental-leave.md"), ("Expenses", "money", "handbook/expenses.md"),
            ("Annual leave", "leave", "handbook/annual-leave.md")]
    assert closest_document(docs, ["parental", "leave", "adoption"]) == "Parental leave"
    assert closest_document(docs, ["expense", "conference"]) == "Expenses"
    assert closest_document(docs, ["dog", "office"]) is None
