-- PgChatOps: a least-privilege login role for the bot.
--
-- Run as a superuser (or a role with CREATEROLE and the right to grant pg_monitor and pg_signal_backend),
-- connected to the database that will hold the bot's state (PgChatOps:StateConnectionString):
--
--   psql -h <host> -U postgres -d <state database> -v password='<a strong password>' -f pgchatops-role.sql
--
-- Run it again in every database that holds a PgChatOps state store. It is idempotent.
--
-- What the role can do:
--   pg_monitor         read every session in pg_stat_activity, other users' query text included (pg_read_all_stats);
--   pg_signal_backend  cancel and terminate other users' backends. PostgreSQL itself never lets it signal a
--                      superuser's backend, whatever PgChatOps:Protection:AllowSuperusers says;
--   schema pgchatops   owns it, so the bot creates and migrates its audit log and pending actions there;
--   pg_use_reserved_connections (PostgreSQL 16+ only) may log in to the slots kept by reserved_connections, so
--                      the bot still gets in when ordinary clients have taken every other slot. It has an effect
--                      only where the server sets reserved_connections above 0 (postgresql.conf, restart).
-- It is not a superuser, cannot create roles or databases, and reads no table data.

\set ON_ERROR_STOP on
\if :{?password}
\else
  \echo 'Set the password: psql ... -v password=''<a strong password>'' -f pgchatops-role.sql'
  \quit
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

-- The state store, in this database. CREATE SCHEMA IF NOT EXISTS needs the CREATE privilege on the database
-- even when the schema exists, so the bot's own migration needs it too.
CREATE SCHEMA IF NOT EXISTS pgchatops AUTHORIZATION pgchatops;
ALTER SCHEMA pgchatops OWNER TO pgchatops;
SELECT format('GRANT CONNECT, CREATE ON DATABASE %I TO pgchatops', current_database())
\gexec
