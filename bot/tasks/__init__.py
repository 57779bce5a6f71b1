"""Everything after an acknowledgement, and every scheduled job, as a task on a queue.

A ``Task`` is a small typed payload with an id (``payloads``). A ``TaskQueue`` takes it (``queue``): in this
process when no broker is set (the embedded default: ``make demo``, the terminal chat, one ``serve``), or through
a broker to ``python app.py worker`` processes on any machine (``broker``: Dramatiq on RabbitMQ or Redis, chosen
by measurement in docs/queue_choice.md). Either way the same ``TaskRunner`` (``runner``) does the work, with the
same retries and the same last word to the person when a task finally fails.
"""
