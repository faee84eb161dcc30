#!/bin/sh
# Measures `zfsguard preflight` on a 30 MB kernel .deb against what dpkg itself
# needs to answer the same question (`dpkg-deb --field` + `dpkg-deb --contents`
# on the same file), alternating, in one run. Prints medians and the ratio.
# Not a test: numbers depend on the machine.
#
# usage: bench/preflight-bench.sh [RUNS]     (default 9)
# needs: mvn package done (zfsguard-deb/target/stage/jars), java 17+, dpkg-deb
set -eu

runs=${1:-9}
here=$(cd "$(dirname "$0")/.." && pwd)
jar=$here/zfsguard-deb/target/stage/jars/zfsguard.jar
[ -r "$jar" ] || { echo "no $jar: run 'mvn -B package -DskipTests' first" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/zfsguard-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

k=6.19.6-edge-rockchip64
tree=$work/tree
mkdir -p "$tree/DEBIAN" "$tree/boot" "$tree/lib/modules/$k/kernel/drivers"
cat >"$tree/DEBIAN/control" <<CTL
Package: linux-image-edge-rockchip64
Version: 26.2.0
Architecture: arm64
Maintainer: Bench <bench@zfsguard.org>
Armbian-Kernel-Version: $k
Description: a kernel-sized stand-in
CTL
# An arm64 Image does not compress much; random bytes make the .deb ~30 MB.
head -c 28M /dev/urandom >"$tree/boot/vmlinuz-$k"
i=0
while [ $i -lt 2000 ]; do
    head -c 1024 /dev/urandom >"$tree/lib/modules/$k/kernel/drivers/m$i.ko"
    i=$((i + 1))
done
deb=$work/linux-image-edge-rockchip64_26.2.0_arm64.deb
dpkg-deb --root-owner-group -Zxz -z1 --build "$tree" "$deb" >/dev/null
mkdir -p "$work/root"
echo "package: $(du -m "$deb" | cut -f1) MB"

flags="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xss512k -Xms8m -Xmx128m -XX:-UsePerfData -Xshare:auto"
# As installed: postinst leaves a class-data-sharing archive that the launcher uses.
# shellcheck disable=SC2086
java $flags -XX:ArchiveClassesAtExit="$work/cds.jsa" -jar "$jar" --root "$work/root" preflight "$deb" >/dev/null 2>&1 || true
flags="$flags -XX:SharedArchiveFile=$work/cds.jsa -Xlog:disable"
now() { date +%s%N; }
dpkg_times= zg_times=
n=0
while [ $n -lt "$runs" ]; do
    t0=$(now)
    dpkg-deb --field "$deb" >/dev/null
    dpkg-deb --contents "$deb" >/dev/null
    t1=$(now)
    # shellcheck disable=SC2086
    java $flags -jar "$jar" --root "$work/root" preflight "$deb" >/dev/null || true
    t2=$(now)
    dpkg_times="$dpkg_times $(( (t1 - t0) / 1000000 ))"
    zg_times="$zg_times $(( (t2 - t1) / 1000000 ))"
    n=$((n + 1))
done
median() { printf '%s\n' $1 | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
d=$(median "$dpkg_times")
z=$(median "$zg_times")
echo "dpkg-deb --field + --contents: median ${d} ms"
echo "zfsguard preflight:            median ${z} ms"
awk -v z="$z" -v d="$d" 'BEGIN { printf "ratio zfsguard/dpkg-deb: %.2f (target < 2)\n", z / d }'
