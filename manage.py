#!/usr/bin/env python
"""Django's command-line utility for CoachHub."""

import base64
import os
import secrets
import sys

# Commands that read only the code (models, static files) and never sign, encrypt or serve: a build
# step or a migrations check runs them without the deployment's secrets, so they get throwaway ones.
# Every other command, like the servers, stops without the real ones unless DEBUG is on.
SECRET_FREE_COMMANDS = frozenset({"makemigrations", "collectstatic"})


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coachhub.settings")
    if sys.argv[1:2] and sys.argv[1] in SECRET_FREE_COMMANDS:
        os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
        os.environ.setdefault("FIELD_ENCRYPTION_KEYS", base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
