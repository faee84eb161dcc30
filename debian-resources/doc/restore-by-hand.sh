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
k=${id%@*}
m=$store/sets/$id/manifest
tab=$(printf '\t')
die() { echo "$*" >&2; exit 1; }
case $id in */*|.*) die "not a backup id: $id" ;; esac
case $k in ''|*[!A-Za-z0-9._+~-]*) die "not a backup id: $id" ;; esac
top=$(readlink -f -- "${root:-/}")
[ "$top" != / ] || top=

# 1. The manifest is complete: its last line hashes every line before it.
[ "$(tail -n 1 "$m" | cut -f 1)" = "#end" ] &&
[ "$(sed '$d' "$m" | sha256sum | cut -d ' ' -f 1)" = "$(tail -n 1 "$m" | cut -f 3)" ] ||
    die "manifest of $id is incomplete or damaged"

# 2. Every file content (objects/<first 2 hex digits>/<sha256>) matches its checksum.
grep "^f$tab" "$m" | cut -f 6 | sort -u | while read -r sha; do
    echo "$sha  $store/objects/$(printf %.2s "$sha")/$sha"
done | sha256sum --check --quiet || die "backup $id is damaged"

# Names escape only tab, newline and % (as %09, %0A, %25).
unescape() { printf '%s\n' "$1" | sed -e "s/%09/$tab/g" -e 's/%25/%/g'; }

# The boot-set item of kernel $k that holds path $1; nothing when it is no part of it.
item() {
    case $1 in
    "/lib/modules/$k"|"/lib/modules/$k"/*) echo "/lib/modules/$k" ;;
    "/boot/dtb-$k"|"/boot/dtb-$k"/*) echo "/boot/dtb-$k" ;;
    "/usr/lib/linux-image-$k"|"/usr/lib/linux-image-$k"/*) echo "/usr/lib/linux-image-$k" ;;
    "/boot/vmlinuz-$k"|"/boot/config-$k"|"/boot/System.map-$k"|"/boot/initrd.img-$k"|"/boot/uInitrd-$k") echo "$1" ;;
    /var/lib/dkms/?*/?*)
        rest=${1#/var/lib/dkms/}; mod=${rest%%/*}; rest=${rest#*/}; ver=${rest%%/*}
        case $rest in
        kernel-"$k"-*/*) ;;
        kernel-"$k"-?*) echo "$1" ;;
        "$ver/$k"|"$ver/$k"/*) echo "/var/lib/dkms/$mod/$ver/$k" ;;
        esac ;;
    esac
}

# Refuses path $1 unless it lies in the boot set without . or .. components, and no
# symlink on its way lies inside the boot set or leads out of the root.
check() {
    case $1/ in [!/]*|*/./*|*/../*|*//*) die "refusing $1: not a plain absolute path" ;; esac
    it=$(item "$1")
    [ -n "$it" ] || die "refusing $1: no part of the boot set of $k"
    q=
    rest=${1#/}
    while [ "${rest#*/}" != "$rest" ]; do
        q=$q/${rest%%/*}
        rest=${rest#*/}
        [ -L "$root$q" ] || continue
        case $q in "$it"|"$it"/*) die "refusing $1: $q is a symlink" ;; esac
        case $(readlink -f -- "$root$q")/ in "$top"/*) ;; *) die "refusing $1: $q leads out of ${root:-/}" ;; esac
    done
}

# 3. Every path is checked before anything is written.
grep -v '^#' "$m" | while IFS=$tab read -r _ _ _ _ _ _ path _; do
    check "$(unescape "$path")"
done

# 4. Directories, files and symlinks in manifest order (a directory precedes its content);
#    never through a symlink: parents are checked again, files arrive by rename.
grep -v '^#' "$m" | while IFS=$tab read -r type mode uid gid _ sha path link; do
    case $path$link in *%0A*) echo "not restored, name holds a newline: $path" >&2; continue ;; esac
    check "$(unescape "$path")"
    p=$root$(unescape "$path")
    case $type in
    d)  [ ! -L "$p" ] || die "refusing $p: a symlink where the backup has a directory"
        mkdir -p "$p" ;;
    f)  mkdir -p "${p%/*}"
        rm -f "$p.restore-new"
        cp "$store/objects/$(printf %.2s "$sha")/$sha" "$p.restore-new"
        chown "$uid:$gid" "$p.restore-new"
        chmod "$mode" "$p.restore-new"
        mv -fT "$p.restore-new" "$p" ;;
    l)  mkdir -p "${p%/*}"
        rm -f "$p"
        ln -s "$(unescape "$link")" "$p"
        chown -h "$uid:$gid" "$p" ;;
    esac
done

# 5. Directory owners and modes last, deepest first.
grep "^d$tab" "$m" | sort -r -t "$tab" -k 7 | while IFS=$tab read -r _ mode uid gid _ _ path _; do
    p=$root$(unescape "$path")
    [ ! -L "$p" ] || die "refusing $p: a symlink where the backup has a directory"
    chown "$uid:$gid" "$p"
    chmod "$mode" "$p"
done
echo "restored $id; now run: depmod -b ${root:-/} $k"
