-- PgChatOps: least-privilege database roles for the bot.
--
-- Run as a superuser (or a role with CREATEROLE and the right to grant pg_monitor and pg_signal_backend),
-- connected to the database that will hold the bot's state (PgChatOps:StateConnectionString):
--
--   psql -h <host> -U postgres -d <state database> -v password='<a strong password>' \
--        -v owner_password='<another strong password>' -f pgchatops-role.sql
--
-- Run it again in every database that holds a PgChatOps state store. It is idempotent, and it upgrades a store
-- created by an earlier version of this script (when the bot's role owned everything).
--
-- Two roles:
--   pgchatops        the bot (PgChatOps:StateConnectionString and the targets' connection strings):
--                    pg_monitor         read every session in pg_stat_activity, other users' query text included;
--                    pg_signal_backend  cancel and terminate other users' backends. PostgreSQL itself never lets it
--                                       signal a superuser's backend, whatever PgChatOps:Protection:AllowSuperusers says;
--                    schema pgchatops   use only: add and read audit rows (never change, delete, truncate, or disable
--                                       the log's triggers), read and write pending actions, record and prune seen request ids, keep the watch's
--                                       lease, incidents and history. It owns nothing.
--   pgchatops_owner  owns schema pgchatops and everything in it; used only to migrate it
--                    (PgChatOps:MigrationConnectionString). Migrating grants pgchatops exactly what is listed above.
--                    Without -v owner_password it cannot log in; then migrate as a member of it (a superuser) that
--                    switches to it: Options=-c role=pgchatops_owner in the migration connection string.
-- Neither is a superuser, can create roles or databases, or reads other table data.
--
-- The audit log's append-only and hash-chain triggers belong to pgchatops_owner, so the bot's credentials cannot
-- disable them. A superuser still can; the hash chain then shows it (`check`, `/pg audit verify`).
--
-- pg_use_reserved_connections (PostgreSQL 16+ only) lets pgchatops log in to the slots kept by reserved_connections,
-- so the bot still gets in when ordinary clients have taken every other slot. It has an effect only where the server
-- sets reserved_connections above 0 (postgresql.conf, restart).

\set ON_ERROR_STOP on
\if :{?password}
\else
  \echo 'Set the password: psql ... -v password=''<a strong password>'' [-v owner_password=''<another>''] -f pgchatops-role.sql'
  \quit
\endif

SELECT 'CREATE ROLE pgchatops_owner NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION'
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pgchatops_owner')
\gexec
\if :{?owner_password}
ALTER ROLE pgchatops_owner WITH LOGIN PASSWORD :'owner_password';
\endif

SELECT 'CREATE ROLE pgchatops LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION'
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pgchatops')
\gexec

ALTER ROLE pgchatops WITH LOGIN PASSWORD :'password';

GRANT pg_monitor TO pgchatops;
GRANT pg_signal_backend TO pgchatops;

-- PostgreSQL 16+: a way in during a connection storm, beside the lifeline the bot holds from start-up.
SELECT 'GRANT pg_use_reserved_connections TO pgchatops'
WHERE current_setting('server_version_num')::int >= 160000
\gexec

-- A member of the owner could act as the owner (ALTER TABLE … DISABLE TRIGGER).
SELECT 'REVOKE pgchatops_owner FROM pgchatops'
WHERE pg_has_role('pgchatops', 'pgchatops_owner', 'MEMBER')
\gexec

-- The state store, in this database, owned by pgchatops_owner.
CREATE SCHEMA IF NOT EXISTS pgchatops AUTHORIZATION pgchatops_owner;
ALTER SCHEMA pgchatops OWNER TO pgchatops_owner;

-- Upgrade: what the bot created here before pgchatops_owner existed passes to the owner (indexes and identity
-- sequences move with their tables).
SELECT format('ALTER TABLE pgchatops.%I OWNER TO pgchatops_owner', c.relname)
FROM pg_class c
WHERE c.relnamespace = 'pgchatops'::regnamespace AND c.relkind IN ('r', 'p') AND c.relowner <> 'pgchatops_owner'::regrole
\gexec
SELECT format('ALTER FUNCTION %s OWNER TO pgchatops_owner', p.oid::regprocedure)
FROM pg_proc p
WHERE p.pronamespace = 'pgchatops'::regnamespace AND p.proowner <> 'pgchatops_owner'::regrole
\gexec

SELECT format('GRANT CONNECT ON DATABASE %I TO pgchatops, pgchatops_owner', current_database())
\gexec
-- An earlier version of this script let the bot create the schema.
SELECT format('REVOKE CREATE ON DATABASE %I FROM pgchatops', current_database())
\gexec
REVOKE CREATE ON SCHEMA pgchatops FROM pgchatops;
GRANT USAGE ON SCHEMA pgchatops TO pgchatops;

-- Tables that exist already (an upgrade); on a new store the owner's migration grants the same when it creates them.
SELECT format('REVOKE ALL ON pgchatops.%I FROM pgchatops; GRANT %s ON pgchatops.%I TO pgchatops', t.name, t.privileges, t.name)
FROM (VALUES ('schema_migrations', 'SELECT'),
             ('audit_log', 'SELECT, INSERT'),
             ('audit_chain_head', 'SELECT'),
             ('pending_actions', 'SELECT, INSERT, UPDATE'),
             ('seen_requests', 'SELECT, INSERT, DELETE'),
             ('watch_lease', 'SELECT, INSERT, UPDATE, DELETE'),
             ('watch_incidents', 'SELECT, INSERT, UPDATE, DELETE'),
             ('watch_history', 'SELECT, INSERT, UPDATE, DELETE')) AS t (name, privileges)
WHERE to_regclass('pgchatops.' || t.name) IS NOT NULL
\gexec
