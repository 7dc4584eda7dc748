#!/bin/sh
# First start of the PostgreSQL container (docker-entrypoint-initdb.d): the two login roles next to the
# owner (POSTGRES_USER, who runs the migrations). The migrations grant them what they need:
#   qingqian_app          the web app; DML only, owns nothing, never more than one jurisdiction
#   qingqian_maintenance  CLI commands, workers, scheduler; a member of qingqian_app that may see all
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<SQL
CREATE ROLE qingqian_app LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD '${QINGQIAN_APP_DB_PASSWORD}';
CREATE ROLE qingqian_maintenance LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD '${QINGQIAN_MAINTENANCE_DB_PASSWORD}';
GRANT qingqian_app TO qingqian_maintenance;
GRANT CONNECT ON DATABASE "$POSTGRES_DB" TO qingqian_app, qingqian_maintenance;
SQL
