#!/bin/sh
# Benchmark of the boot-set backup store against cp -a.
#
#   sh bench/backup-bench.sh [JAR] [WORKDIR]
#
# Generates a realistic boot set (~3,000 module files, ~100 MB) under a scratch
# system root, then in the same run times:
#   1. cp -a of the boot-set files, and cp -a followed by sync (cp alone leaves
#      the data in the page cache; zfsguard flushes every file before it counts);
#   2. the first `zfsguard backup` of the set;
#   3. a second backup of the unchanged set, with the bytes it added to the store.
# JAR defaults to zfsguard-deb/target/stage/jars/zfsguard.jar (mvn package -DskipChroot).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
jar=${1:-$here/zfsguard-deb/target/stage/jars/zfsguard.jar}
work=${2:-$(mktemp -d "${TMPDIR:-/var/tmp}/zfsguard-bench.XXXXXX")}
k=6.12.58-current-rockchip64
root=$work/root
[ -f "$jar" ] || { echo "no $jar; run: mvn package -DskipChroot" >&2; exit 2; }
rm -rf "$root" "$work/cp"
mkdir -p "$root/boot" "$root/lib/modules/$k" "$root/usr/lib/linux-image-$k/rockchip" "$root/boot/dtb-$k/rockchip"

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
mbps() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.1f", n / 1048576 / s }'; }

echo "generating boot set of $k under $root ..."
# Module sizes between 2 KiB and ~46 KiB, in 60 subdirectories, like drivers/ and fs/.
awk 'BEGIN { srand(42); for (i = 0; i < 3000; i++) printf "%d %d\n", i % 60, 2048 + int(rand() * rand() * 90000) }' |
while read -r d size; do
    dir=$root/lib/modules/$k/kernel/drivers/d$d
    [ -d "$dir" ] || mkdir -p "$dir"
    head -c "$size" /dev/urandom > "$dir/m$size-$d.ko"
done
mkdir -p "$root/lib/modules/$k/updates/dkms"
head -c 6000000 /dev/urandom > "$root/lib/modules/$k/updates/dkms/zfs.ko"
head -c 400000 /dev/urandom > "$root/lib/modules/$k/updates/dkms/spl.ko"
ln -s "/usr/src/linux-headers-$k" "$root/lib/modules/$k/build"
head -c 2000000 /dev/urandom > "$root/lib/modules/$k/modules.dep"
head -c 24000000 /dev/urandom > "$root/boot/vmlinuz-$k"
head -c 260000 /dev/urandom > "$root/boot/config-$k"
head -c 9000000 /dev/urandom > "$root/boot/System.map-$k"
head -c 11000000 /dev/urandom > "$root/boot/initrd.img-$k"
head -c 11000064 /dev/urandom > "$root/boot/uInitrd-$k"
for b in rk3399-rockpro64 rk3588-rock-5b rk3588s-orangepi-5; do
    head -c 90000 /dev/urandom > "$root/boot/dtb-$k/rockchip/$b.dtb"
    head -c 90000 /dev/urandom > "$root/usr/lib/linux-image-$k/rockchip/$b.dtb"
done
files=$(find "$root" -type f | wc -l)
bytes=$(find "$root" -type f -exec cat {} + | wc -c)
echo "boot set: $files files, $(mbps "$bytes" 1) MiB"
sync

# 1. cp -a of the same files
mkdir -p "$work/cp"
t0=$(now)
cp -a "$root/lib" "$root/boot" "$root/usr" "$work/cp/"
t1=$(now)
sync
t2=$(now)
cp_s=$(secs "$t0" "$t1")
cpsync_s=$(secs "$t0" "$t2")
rm -rf "$work/cp"
sync

# 2. first backup
t0=$(now)
java -jar "$jar" --root "$root" backup --kernel "$k" > "$work/first.out"
t1=$(now)
first_s=$(secs "$t0" "$t1")

# 3. second backup of the unchanged set; what it added = files in the store newer than a marker
# (retention then drops the first backup's manifest, so the store's total size says nothing)
touch "$work/marker"
sleep 1
t0=$(now)
java -jar "$jar" --root "$root" backup --kernel "$k" > "$work/second.out"
t1=$(now)
second_s=$(secs "$t0" "$t1")
added=$(find "$root/var/lib/zfsguard/backups" -type f -newer "$work/marker" -exec stat -c %s {} + | awk '{ n += $1 } END { print n + 0 }')

# java startup alone, to show how much of the wall time it is
t0=$(now)
java -jar "$jar" --version > /dev/null
t1=$(now)
jvm_s=$(secs "$t0" "$t1")

java -jar "$jar" --root "$root" verify > "$work/verify.out"

echo
echo "cp -a:               ${cp_s} s   $(mbps "$bytes" "$cp_s") MiB/s"
echo "cp -a + sync:        ${cpsync_s} s   $(mbps "$bytes" "$cpsync_s") MiB/s"
echo "first backup:        ${first_s} s   $(mbps "$bytes" "$first_s") MiB/s (JVM start alone: ${jvm_s} s)"
echo "  vs cp -a:          $(awk -v a="$cp_s" -v b="$first_s" 'BEGIN { printf "%.2fx", a / b }') of cp's throughput"
echo "  vs cp -a + sync:   $(awk -v a="$cpsync_s" -v b="$first_s" 'BEGIN { printf "%.2fx", a / b }') of cp+sync's throughput"
echo "second backup:       ${second_s} s"
echo "  bytes added:       $added of $bytes ($(awk -v a="$added" -v b="$bytes" 'BEGIN { printf "%.3f%%", 100 * a / b }'))"
echo "zfsguard said:"
sed 's/^/  /' "$work/first.out" "$work/second.out" "$work/verify.out"
echo "(scratch files in $work)"
