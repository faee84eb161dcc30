#!/bin/sh
# Measures `zfsguard status` and `zfsguard check` on a fixture root with N kernel
# module directories (each with modules.dep and an image in /boot, one with a
# ZFS module) for each N given, to show how the time grows with N. Prints wall
# and CPU (user + system) seconds per N and the CPU milliseconds per kernel;
# linear growth keeps that column flat. On a shared machine the wall time
# also holds the waits for other processes: judge by CPU time.
# Not a test: numbers depend on the machine.
#
# usage: bench/many-kernels.sh [N...]        (default 5000 10000 20000)
#        ZFSGUARD_JARS="old/zfsguard.jar new/zfsguard.jar" compares builds on the same fixtures
# needs: mvn package done (zfsguard-deb/target/stage/jars), java 17+, GNU time
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
jars=${ZFSGUARD_JARS:-$here/zfsguard-deb/target/stage/jars/zfsguard.jar}
for jar in $jars; do
    [ -r "$jar" ] || { echo "no $jar: run 'mvn -B package -DskipTests' first" >&2; exit 2; }
done
[ $# -gt 0 ] || set -- 5000 10000 20000

work=$(mktemp -d "${TMPDIR:-/tmp}/zfsguard-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

command -v /usr/bin/time >/dev/null || { echo "missing /usr/bin/time (apt install time)" >&2; exit 2; }

printf '%-8s %-8s %8s %8s %18s  %s\n' kernels command wall cpu "cpu ms per kernel" jar
for n in "$@"; do
    root=$work/root-$n
    mkdir -p "$root/boot" "$root/lib/modules" "$root/var/lib/dpkg/info" "$root/usr/src/zfs-2.2.7"
    printf 'Version: 2.2.7\nRelease: 1\nLinux-Minimum: 4.18\nLinux-Maximum: 6.12\n' >"$root/usr/src/zfs-2.2.7/META"
    : >"$root/var/lib/dpkg/status"
    i=0
    while [ "$i" -lt "$n" ]; do
        k=6.1.0-$i-amd64
        echo "$k"
        i=$((i + 1))
    done >"$work/names"
    (cd "$root/lib/modules" && xargs mkdir <"$work/names")
    (cd "$root/lib/modules" && sed 's|$|/modules.dep|' "$work/names" | xargs touch)
    (cd "$root/boot" && sed 's|^|vmlinuz-|' "$work/names" | xargs touch)
    ln -s "vmlinuz-6.1.0-$((n - 1))-amd64" "$root/boot/vmlinuz"
    # a first listing warms the page cache for every jar alike
    ls -R "$root/lib/modules" >/dev/null
    for cmd in status check; do
        for jar in $jars; do
            /usr/bin/time -o "$work/time" -f '%e %U %S' java -jar "$jar" --root "$root" "$cmd" >"$work/out" 2>&1 || true
            grep -q "6.1.0-$((n - 1))-amd64" "$work/out" || { echo "unexpected output of $cmd:" >&2; head -5 "$work/out" >&2; exit 1; }
            tail -n 1 "$work/time" | awk -v n="$n" -v c="$cmd" -v j="$jar" \
                '{ printf "%-8d %-8s %8.2f %8.2f %18.3f  %s\n", n, c, $1, $2 + $3, ($2 + $3) * 1000 / n, j }'
        done
    done
    rm -rf "$root"
done
