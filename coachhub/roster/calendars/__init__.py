"""Coaches' own calendars: connections over CalDAV and iCalendar subscriptions, the busy times read
from them (which the slot engine counts like bookings), and bookings written back."""
