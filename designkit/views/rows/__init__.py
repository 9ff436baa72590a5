"""The computed tables and phrase lists as plain rows (``table.Rows``): worked out once, rendered by every view.

One module a section's subject: ``capacity``, ``scaling``, ``latency``, ``cost``, ``reliability``,
``spread`` (ranges and the tornado), ``interview`` (key phrases, follow-ups), ``headline`` (the live
data, decision and headline tables); ``wording`` holds the small phrases they share, ``as_markdown``
writes rows as Markdown, and ``registry`` lists every table once.
"""
