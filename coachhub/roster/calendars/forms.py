"""Input for connecting a coach's own calendars. Addresses are checked (scheme, credentials,
private networks) by the services, which answer next to the field."""

from __future__ import annotations

from django import forms


class CalDAVConnectForm(forms.Form):
    url = forms.CharField(
        label="CalDAV server address", max_length=2000,
        help_text="For example https://caldav.fastmail.com/ or your Nextcloud's https://cloud.example.com/remote.php/dav/.",
        widget=forms.TextInput(attrs={"inputmode": "url", "autocomplete": "off", "spellcheck": "false"}),
    )
    username = forms.CharField(label="User name", max_length=255, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    password = forms.CharField(
        label="App password", max_length=500, strip=False,
        help_text="An app-specific password from your provider, not your main one. It is stored encrypted and never shown again.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}, render_value=False),
    )
    calendar = forms.CharField(
        label="Calendar for your bookings", max_length=200, required=False,
        help_text="Its name; leave empty for the first one found. You can change it after connecting.",
    )


class ICalConnectForm(forms.Form):
    ical_url = forms.CharField(
        label="Calendar subscription address", max_length=2000,
        help_text="The secret iCal address from Google Calendar or Outlook. Read only: busy times come in, nothing is written.",
        widget=forms.TextInput(attrs={"inputmode": "url", "autocomplete": "off", "spellcheck": "false"}),
    )


def chosen_calendars(post, connection) -> tuple[set[int], int | None]:
    """The ticked busy calendars and the chosen write-back calendar of one connection's form."""
    ids = {c.pk for c in connection.calendars.all()}
    busy = {int(v) for v in post.getlist("busy") if v.isdigit() and int(v) in ids}
    raw = post.get("write_back", "")
    write_back = int(raw) if raw.isdigit() and int(raw) in ids else None
    return busy, write_back
