#!/bin/sh
# What zfsguard's apt hooks cost on the common path: `apt-get install
# --reinstall` of a small unrelated package in two Debian chroots that differ
# only in zfsguard being installed, alternating, in one run. Prints medians and
# the ratio (target <= 1.02: the common path starts no JVM). Run as root.
#
# usage: bench/hook-overhead.sh [RUNS]       (default 20 each)
# needs: mvn package done (zfsguard-deb/target/zfsguard.deb), debootstrap;
#        the chroot base is cached in ~/.cache/zfsguard-bench/.
set -eu

runs=${1:-20}
here=$(cd "$(dirname "$0")/.." && pwd)
deb=$here/zfsguard-deb/target/zfsguard.deb
[ -r "$deb" ] || { echo "no $deb: run 'mvn -B package -DskipTests' first" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "run as root (chroot, mount)" >&2; exit 2; }

cache=${HOME:-/root}/.cache/zfsguard-bench
base=$cache/bookworm-amd64-jre.tar
mkdir -p "$cache"
if [ ! -s "$base" ]; then
    echo "building the chroot base once (about a minute)..."
    b=$(mktemp -d /var/tmp/zfsguard-bench-base.XXXXXX)
    debootstrap --variant=minbase --include=openjdk-17-jre-headless bookworm "$b" http://deb.debian.org/debian >/dev/null
    tar -C "$b" -cf "$base.tmp" . && mv "$base.tmp" "$base"
    rm -rf "$b"
fi

work=$(mktemp -d /var/tmp/zfsguard-bench.XXXXXX)
cleanup() {
    for c in with without; do umount "$work/$c/proc" 2>/dev/null || true; done
    rm -rf --one-file-system "$work"
}
trap cleanup EXIT INT TERM

# An unrelated package, like the sysstat of the over-triggering bug.
mkdir -p "$work/pkg/DEBIAN" "$work/pkg/usr/share/doc/bench-standin"
printf 'Package: bench-standin\nVersion: 1.0\nArchitecture: all\nMaintainer: Bench <bench@zfsguard.org>\nDescription: unrelated package\n' \
    >"$work/pkg/DEBIAN/control"
echo hello >"$work/pkg/usr/share/doc/bench-standin/README"
dpkg-deb --root-owner-group --build "$work/pkg" "$work/bench-standin.deb" >/dev/null

for c in with without; do
    mkdir -p "$work/$c"
    tar -C "$work/$c" -xf "$base"
    mount -t proc proc "$work/$c/proc"
    printf '#!/bin/sh\nexit 101\n' >"$work/$c/usr/sbin/policy-rc.d"
    chmod 755 "$work/$c/usr/sbin/policy-rc.d"
    cp "$work/bench-standin.deb" "$work/$c/root/"
    chroot "$work/$c" apt-get install -y -qq /root/bench-standin.deb >/dev/null 2>&1
done
cp "$deb" "$work/with/root/zfsguard.deb"
chroot "$work/with" apt-get install -y -qq /root/zfsguard.deb >/dev/null 2>&1
chroot "$work/with" test -x /usr/bin/zfsguard || { echo "zfsguard did not install in the chroot" >&2; exit 1; }

reinstall() { # chroot
    t0=$(date +%s%N)
    chroot "$1" env ZFSGUARD_TRACE=/root/jvm-starts apt-get install -y -qq --reinstall /root/bench-standin.deb >/dev/null 2>&1
    t1=$(date +%s%N)
    echo $(( (t1 - t0) / 1000000 ))
}
with= without=
n=0
while [ $n -lt "$runs" ]; do
    without="$without $(reinstall "$work/without")"
    with="$with $(reinstall "$work/with")"
    n=$((n + 1))
done
median() { printf '%s\n' $1 | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
a=$(median "$without")
b=$(median "$with")
starts=0
[ ! -f "$work/with/root/jvm-starts" ] || starts=$(wc -l <"$work/with/root/jvm-starts")
echo "apt-get install --reinstall, unrelated package, $runs runs each"
echo "without zfsguard: median $a ms"
echo "with zfsguard:    median $b ms"
echo "JVM starts during the runs with zfsguard: $starts"
awk -v a="$a" -v b="$b" 'BEGIN { printf "ratio with/without: %.3f (target <= 1.02)\n", b / a }'
