"""Writes for coaching sessions, by sub-domain: booking (book, move, cancel), the log, and actions
(with reflections and sharing summaries). Each service is one transaction and checks its rule."""
