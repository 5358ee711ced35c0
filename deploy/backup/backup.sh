#!/usr/bin/env bash
# Jixiao backup: a PostgreSQL base backup (with the WAL needed to make it consistent)
# and a copy of the media files, in one dated directory. Together with the WAL archive
# (archive_command, see postgresql-backup.conf) it allows point-in-time recovery.
#
#   deploy/backup/backup.sh                 # base backup + media
#   deploy/backup/backup.sh --media-only    # media copy only (e.g. hourly)
#
# Environment: PGHOST, PGPORT, PGUSER (a role with REPLICATION, e.g. postgres),
# BACKUP_DIR (default /var/backups/jixiao), MEDIA_ROOT (default /var/lib/jixiao/media).
# Prints the new backup directory on its last line.
set -euo pipefail

BACKUP_DIR=${BACKUP_DIR:-/var/backups/jixiao}
MEDIA_ROOT=${MEDIA_ROOT:-/var/lib/jixiao/media}
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
media_only=0
[ "${1:-}" = "--media-only" ] && media_only=1

stamp=$(date -u +%Y%m%dT%H%M%S%NZ)
target="$BACKUP_DIR/$stamp"
mkdir -p "$target"

if [ "$media_only" = 0 ]; then
    # -X stream: the WAL written during the copy travels with it (pg_wal.tar.gz), so the
    # base backup alone restores to a consistent state; the archive replays beyond it.
    "$PG_BIN/pg_basebackup" -D "$target" -Ft -z -X stream --checkpoint=fast \
        --label="jixiao $stamp" --no-password
fi

# Media files are written once under unique names and never changed in place, so a copy
# taken after a point in time holds every file the database of that moment refers to.
if [ -d "$MEDIA_ROOT" ]; then
    tar -C "$MEDIA_ROOT" -czf "$target/media.tar.gz" .
else
    tar -czf "$target/media.tar.gz" -T /dev/null
fi

{
    echo "taken_utc=$stamp"
    echo "kind=$([ "$media_only" = 1 ] && echo media || echo full)"
    (cd "$target" && sha256sum -- *.tar.gz)
} >"$target/JIXIAO_BACKUP"
echo "$target"
