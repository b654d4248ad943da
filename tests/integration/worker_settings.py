"""The project's settings for the worker processes that reminder tests start and SIGKILL: a one-second
SMTP timeout, so the reminder lease (ten SMTP timeouts, see reminders/dispatch.py) gives a
killed worker's claimed rows back within the test, in ten seconds rather than five minutes."""

from coachhub.settings import *  # noqa: F403

EMAIL_TIMEOUT = 1
