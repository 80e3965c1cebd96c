# Sourced by .ci/run: start a throwaway PostgreSQL cluster on loopback and export its URL.
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "${PGBIN}" ]; then return 1; fi
PGPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
PGDATA=$(mktemp -d /tmp/registry-pg.XXXX)
chown postgres "$PGDATA"
su postgres -c "$PGBIN/initdb -D $PGDATA -A trust -U postgres" >/dev/null || return 1
su postgres -c "$PGBIN/pg_ctl -D $PGDATA -o '-p $PGPORT -k /tmp -c listen_addresses=127.0.0.1' -l $PGDATA/log -w start" >/dev/null || return 1
su postgres -c "$PGBIN/createdb -h 127.0.0.1 -p $PGPORT registry" >/dev/null || return 1
export REGISTRY_TEST_POSTGRES_URL="postgresql+psycopg://postgres@127.0.0.1:$PGPORT/registry"
echo "PostgreSQL running: $REGISTRY_TEST_POSTGRES_URL"
