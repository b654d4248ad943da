"""Database roles: the owner runs migrations, the application role is bound by RLS."""

from __future__ import annotations

from contextlib import closing

import psycopg2
from django.conf import settings
from django.db import connections
from psycopg2 import sql

# Tables the application only ever adds rows to: nobody rewrites the audit trail, the app included.
INSERT_ONLY_TABLES = ("tenancy_auditentry",)


def grant_application_role(sender, using: str, **kwargs) -> None:
    """After `migrate` (run as the owner), let the application role read and write the tables.

    Only DML: the application role can neither alter tables, nor disable RLS, nor TRUNCATE; on the
    insert-only tables (the audit trail) it may only SELECT and INSERT.
    """
    if sender.label != "tenancy":
        return
    connection = connections[using]
    role = settings.APPLICATION_DATABASE_ROLE
    if connection.settings_dict["USER"] == role:
        return
    with connection.cursor() as cursor:
        ident = sql.Identifier(role).as_string(cursor.cursor)
        cursor.execute(f"GRANT USAGE ON SCHEMA public TO {ident}")
        cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {ident}")
        cursor.execute(f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {ident}")
        for table in INSERT_ONLY_TABLES:
            cursor.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM {ident}")


def _admin_connection(dbname: str | None = None):
    admin = settings.DATABASE_ADMIN_URL
    conn = psycopg2.connect(admin if dbname is None else admin.rsplit("/", 1)[0] + "/" + dbname)
    conn.autocommit = True
    return conn


def ensure_roles_and_database() -> list[str]:
    """Create the owner and application roles and the database when missing; say what was done.

    Refuses to go on when the application role could bypass Row-Level Security.
    """
    owner = settings.DATABASES["owner"]
    app = settings.DATABASES["default"]
    done: list[str] = []
    conn = _admin_connection()
    # Not `with conn:`: psycopg2 would open a transaction, and CREATE DATABASE refuses one.
    with closing(conn), conn.cursor() as cursor:
        for role, attributes in (
            (owner, sql.SQL("LOGIN CREATEDB")),
            (app, sql.SQL("LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS")),
        ):
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role["USER"]])
            if cursor.fetchone() is None:
                statement = sql.SQL("CREATE ROLE {} ").format(sql.Identifier(role["USER"])) + attributes
                if role.get("PASSWORD"):
                    statement += sql.SQL(" PASSWORD {}").format(sql.Literal(role["PASSWORD"]))
                cursor.execute(statement)
                done.append(f"created role {role['USER']}")
        cursor.execute(
            "SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = %s", [app["USER"]]
        )
        if cursor.fetchone()[0]:
            raise RuntimeError(
                f"Database role {app['USER']!r} is a superuser or has BYPASSRLS: Row-Level "
                "Security would not apply. Use a plain role in DATABASE_URL."
            )
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [app["NAME"]])
        if cursor.fetchone() is None:
            cursor.execute(
                sql.SQL("CREATE DATABASE {} OWNER {}").format(
                    sql.Identifier(app["NAME"]), sql.Identifier(owner["USER"])
                )
            )
            done.append(f"created database {app['NAME']}")
    return done
