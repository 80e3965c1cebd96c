# Sourced by .ci/run: start a throwaway PostgreSQL cluster on loopback and export its URL.
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "${PGBIN}" ]; then return 1; fi
PGDATA=$(mktemp -d /tmp/registry-pg.XXXX)
chown postgres "$PGDATA"
su postgres -c "$PGBIN/initdb -D $PGDATA -A trust -U postgres" >/dev/null
su postgres -c "$PGBIN/pg_ctl -D $PGDATA -o '-p 55432 -k /tmp -c listen_addresses=127.0.0.1' -l $PGDATA/log -w start" >/dev/null
su postgres -c "$PGBIN/createdb -h 127.0.0.1 -p 55432 registry" >/dev/null
export REGISTRY_TEST_POSTGRES_URL="postgresql+psycopg://postgres@127.0.0.1:55432/registry"
echo "PostgreSQL running: $REGISTRY_TEST_POSTGRES_URL"
