#!/usr/bin/env bash
# Jixiao restore: prepare a NEW PostgreSQL data directory from a base backup, replaying
# the WAL archive up to a point in time, and put the media files back.
#
#   deploy/backup/restore.sh BACKUP PGDATA [TARGET_TIME]
#
# BACKUP       a directory written by backup.sh (base.tar.gz, pg_wal.tar.gz)
# PGDATA       a new, empty or absent directory for the restored cluster
# TARGET_TIME  e.g. '2026-11-30 09:15:00+08' (PostgreSQL's recovery_target_time): the
#              restored database is the state of that moment. Absent: replay everything.
# Environment: WAL_ARCHIVE (where archive_command copied the WAL; default
# /var/backups/jixiao/wal), MEDIA_BACKUP (a backup.sh directory whose media.tar.gz is
# restored; default BACKUP: take the newest copy made after TARGET_TIME), MEDIA_ROOT
# (default /var/lib/jixiao/media; existing files are kept), PG_PORT (written into the
# restored configuration when set), PG_USER (the account the server runs as; default
# postgres when run as root).
# Start the server on PGDATA afterwards (pg_ctl or systemd): it replays, stops at the
# target and opens for writes on a new timeline.
set -euo pipefail

backup=${1:?usage: restore.sh BACKUP PGDATA [TARGET_TIME]}
pgdata=${2:?usage: restore.sh BACKUP PGDATA [TARGET_TIME]}
target_time=${3:-}
WAL_ARCHIVE=${WAL_ARCHIVE:-/var/backups/jixiao/wal}
MEDIA_BACKUP=${MEDIA_BACKUP:-$backup}
MEDIA_ROOT=${MEDIA_ROOT:-/var/lib/jixiao/media}

if [ -e "$pgdata" ] && [ -n "$(ls -A "$pgdata")" ]; then
    echo "restore.sh: $pgdata is not empty; restore into a new directory" >&2
    exit 2
fi
(cd "$backup" && sha256sum --quiet -c <(grep -E '^[0-9a-f]{64} ' JIXIAO_BACKUP))

mkdir -p "$pgdata/pg_wal"
chmod 700 "$pgdata"
tar -C "$pgdata" -xzf "$backup/base.tar.gz"
tar -C "$pgdata/pg_wal" -xzf "$backup/pg_wal.tar.gz"
{
    echo "# added by deploy/backup/restore.sh"
    echo "restore_command = 'cp \"$WAL_ARCHIVE/%f\" \"%p\"'"
    if [ -n "$target_time" ]; then
        echo "recovery_target_time = '$target_time'"
        echo "recovery_target_action = 'promote'"
    fi
    [ -n "${PG_PORT:-}" ] && echo "port = $PG_PORT"
    [ -n "${PG_EXTRA_CONF:-}" ] && echo "$PG_EXTRA_CONF"
    true
} >>"$pgdata/postgresql.auto.conf"
touch "$pgdata/recovery.signal"
if [ "$(id -u)" = 0 ]; then
    chown -R "${PG_USER:-postgres}": "$pgdata"
fi

mkdir -p "$MEDIA_ROOT"
tar -C "$MEDIA_ROOT" -xzf "$MEDIA_BACKUP/media.tar.gz"
echo "restored into $pgdata; start PostgreSQL on it to replay the WAL"
