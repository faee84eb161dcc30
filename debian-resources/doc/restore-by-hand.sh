#!/bin/sh
# Restore a zfsguard boot-set backup with coreutils only: no zfsguard, no Java.
# Run as root.   usage: sh restore-by-hand.sh ID [ROOT]
#   ID     a directory under $STORE/sets, e.g. 6.12.57-current-rockchip64@20261124T040000Z-3fa9c1
#   ROOT   the system to restore into; empty (the default) for the running system
#   STORE  defaults to /var/lib/zfsguard/backups
set -eu
store=${STORE:-/var/lib/zfsguard/backups}
id=$1
root=${2:-}
m=$store/sets/$id/manifest
tab=$(printf '\t')

# 1. The manifest is complete: its last line hashes every line before it.
[ "$(tail -n 1 "$m" | cut -f 1)" = "#end" ] &&
[ "$(sed '$d' "$m" | sha256sum | cut -d ' ' -f 1)" = "$(tail -n 1 "$m" | cut -f 3)" ] ||
    { echo "manifest of $id is incomplete or damaged" >&2; exit 1; }

# 2. Every file content (objects/<first 2 hex digits>/<sha256>) matches its checksum.
grep "^f$tab" "$m" | cut -f 6 | sort -u | while read -r sha; do
    echo "$sha  $store/objects/$(printf %.2s "$sha")/$sha"
done | sha256sum --check --quiet || { echo "backup $id is damaged" >&2; exit 1; }

# Names escape only tab, newline and % (as %09, %0A, %25).
unescape() { printf '%s\n' "$1" | sed -e "s/%09/$tab/g" -e 's/%25/%/g'; }

# 3. Directories, files and symlinks in manifest order (a directory precedes its content).
grep -v '^#' "$m" | while IFS=$tab read -r type mode uid gid size sha path link; do
    case $path$link in *%0A*) echo "not restored, name holds a newline: $path" >&2; continue ;; esac
    p=$root$(unescape "$path")
    case $type in
    d)  mkdir -p "$p" ;;
    f)  mkdir -p "${p%/*}"
        cp "$store/objects/$(printf %.2s "$sha")/$sha" "$p.restore-new"
        chown "$uid:$gid" "$p.restore-new"
        chmod "$mode" "$p.restore-new"
        mv -f "$p.restore-new" "$p" ;;
    l)  mkdir -p "${p%/*}"
        rm -f "$p"
        ln -s "$(unescape "$link")" "$p"
        chown -h "$uid:$gid" "$p" ;;
    esac
done

# 4. Directory owners and modes last, deepest first.
grep "^d$tab" "$m" | sort -r -t "$tab" -k 7 | while IFS=$tab read -r type mode uid gid size sha path link; do
    p=$root$(unescape "$path")
    chown "$uid:$gid" "$p"
    chmod "$mode" "$p"
done
echo "restored $id; now run: depmod -b ${root:-/} ${id%@*}"
