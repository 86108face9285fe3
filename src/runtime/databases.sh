# Databases: roles, users, databases and grants of PostgreSQL and MySQL/MariaDB, through the
# servers' own command-line clients on the host, SQL on their standard input (never in an
# argument, which `ps` shows: it may hold a password).

# k_sql ok|act|diff --client psql|mysql [--database DB] --probe SQL --want TEXT
# [--create SQL] --change SQL --what TEXT (postgresql.*, mysql.*): the state holds when the
# probe's output (read-only SQL, kiln's own query) is TEXT. act runs --create when the probe
# printed nothing (the object does not exist) and there is one, else --change; diff says
# WHAT, then what the probe printed and what it must print (`-`/`+` lines: kiln's probes
# print attributes, never a password, only whether one matches).
k_sql() {
  k_sql_verb=$1 k_sql_client='' k_sql_database='' k_sql_probe='' k_sql_want='' k_sql_create='' k_sql_change='' k_sql_what=''
  shift
  while [ "$#" -gt 0 ]; do
    case $1 in
    --client) k_sql_client=$2; shift ;;
    --database) k_sql_database=$2; shift ;;
    --probe) k_sql_probe=$2; shift ;;
    --want) k_sql_want=$2; shift ;;
    --create) k_sql_create=$2; shift ;;
    --change) k_sql_change=$2; shift ;;
    --what) k_sql_what=$2; shift ;;
    *) k_err "k_sql: unknown option $1"; return 64 ;;
    esac
    shift
  done
  k_sql_had=$(k_sql_run "$k_sql_probe") || return 1
  [ "$k_sql_had" != "$k_sql_want" ] || return 0
  case $k_sql_verb in
  ok) return 1 ;;
  act)
    if [ -z "$k_sql_had" ] && [ -n "$k_sql_create" ]; then k_sql_run "$k_sql_create" >/dev/null
    else k_sql_run "$k_sql_change" >/dev/null; fi ;;
  diff)
    k_print "$k_sql_what"
    [ -z "$k_sql_had" ] || k_print "- $k_sql_had"
    [ -z "$k_sql_want" ] || k_print "+ $k_sql_want" ;;
  esac
}

# k_sql_run SQL: what k_sql's client prints for SQL, which it reads on its standard input:
# psql as the `postgres` user (peer authentication on the server's socket; through runuser,
# or su where util-linux is missing, when the script runs as root), from `/`, which that
# user can read, without ~/.psqlrc, unaligned, tuples only, stopping at the first error
# with a terse message (no statement quoted back); or mysql as the running user (root's
# unix_socket authentication, or its ~/.my.cnf), batch, without column names.
k_sql_run() {
  k_sql_run_sql=$1
  case $k_sql_client in
  psql)
    [ -n "${k_uid-}" ] || k_uid=$(id -u)
    set -- psql -X -A -t -q -v ON_ERROR_STOP=1 -v VERBOSITY=terse -d "${k_sql_database:-postgres}"
    if [ "$k_uid" != 0 ]; then
      k_print "$k_sql_run_sql" | (cd / && "$@")
    elif command -v runuser >/dev/null 2>&1; then
      k_print "$k_sql_run_sql" | (cd / && runuser -u postgres -- "$@")
    else
      k_print "$k_sql_run_sql" | (cd / && su -s /bin/sh postgres -c 'exec "$@"' sh "$@")
    fi ;;
  mysql) k_print "$k_sql_run_sql" | mysql --batch --skip-column-names ${k_sql_database:+--database="$k_sql_database"} ;;
  *) k_err "k_sql: unknown client $k_sql_client"; return 64 ;;
  esac
}
