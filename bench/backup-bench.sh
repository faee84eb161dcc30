#!/bin/sh
# Benchmark of the boot-set backup store against restic and cp -a.
#
#   sh bench/backup-bench.sh [ROUNDS] [WORKDIR]          (as root; default 5 rounds;
#                                                         a scratch WORKDIR is removed at the end)
#   BOOTSET=debian sh bench/backup-bench.sh 2            a real Debian kernel's boot set instead
#
# Builds a realistic boot set (~3,000 module files in 60 directories, ~130 MB
# with vmlinuz, initrd, uInitrd, System.map and dtbs; with BOOTSET=debian the
# files of the kernel package linux-image-amd64 depends on, fetched with
# apt-get download and unpacked with dpkg-deb -x: ~4,000 files, ~450 MiB) on a
# fresh ext4 file system with a journal (a loop-mounted image, made with
# mkfs.ext4's defaults, as on Armbian's root), then, alternating in every round:
#   - restic backup of the same files into a fresh local repository, followed
#     by sync: the same work as zfsguard's (content hashes, deduplication, on
#     the disk when it ends), the fair anchor;
#   - cp -a of the boot-set files, and cp -a followed by sync (cp alone leaves
#     the data in the page cache, and neither hashes anything);
#   - the first backup of the set, through the package's own launcher (its JVM
#     flags and class-data-sharing archive, as installed);
# each once with the files in the page cache ("warm") and once after dropping
# the caches ("cold": a kernel's modules and images are mostly not cached when
# an upgrade comes, and on a board the JVM's own files are not either).
# Then a second backup of the unchanged set and the bytes it added to the store.
# Prints medians and throughput ratios (cp's time / zfsguard's time).
#
# Needs: mvn -B package -DskipTests (zfsguard-deb/target/stage), mkfs.ext4, a loop device,
# restic (apt install restic); for BOOTSET=debian apt's lists and network access.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
rounds=${1:-5}
stage=$here/zfsguard-deb/target/stage/jars
[ -f "$stage/zfsguard.jar" ] || { echo "no $stage/zfsguard.jar; run: mvn -B package -DskipTests" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "run as root (loop mount, dropping caches)" >&2; exit 2; }
command -v restic >/dev/null || { echo "no restic; run: apt install restic" >&2; exit 2; }
bootset=${BOOTSET:-synthetic}
keep=${2:+yes}
work=${2:-$(mktemp -d "${TMPDIR:-/var/tmp}/zfsguard-bench.XXXXXX")}
fs=$work/fs
cleanup() {
    umount "$fs" 2>/dev/null || true
    rm -f "$work/ext4.img"
    [ -n "$keep" ] || rm -rf --one-file-system "$work"
}
trap cleanup EXIT INT TERM

# The launcher as packaged, pointed at the build's jars and a scratch cache.
mkdir -p "$work/bin" "$work/cache"
sed -e "s|^share=.*|share=$stage|" -e "s|^cache=.*|cache=$work/cache|" \
    "$here/debian-resources/bin/zfsguard" >"$work/bin/zfsguard"
chmod 755 "$work/bin/zfsguard"
zfsguard=$work/bin/zfsguard
ZFSGUARD_CDS_DUMP=1 "$zfsguard" --version >/dev/null 2>&1

mkdir -p "$fs"
truncate -s 4G "$work/ext4.img"
mkfs.ext4 -q -F "$work/ext4.img"
mount -o loop "$work/ext4.img" "$fs"

root=$fs/root
if [ "$bootset" = debian ]; then
    pkg=$(apt-cache depends linux-image-amd64 | awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }')
    [ -n "$pkg" ] || { echo "apt-cache does not know linux-image-amd64 (apt update?)" >&2; exit 2; }
    k=${pkg#linux-image-}
    echo "fetching $pkg ..."
    (cd "$work" && apt-get download -q "$pkg" >/dev/null)
    mkdir -p "$root"
    dpkg-deb -x "$work/$pkg"_*.deb "$root"
    rm -f "$work/$pkg"_*.deb
    # merged /usr: the modules are where the boot set is looked for
    [ -d "$root/lib/modules/$k" ] || { mkdir -p "$root/lib"; ln -s ../usr/lib/modules "$root/lib/modules"; }
    head -c 60000000 /dev/urandom >"$root/boot/initrd.img-$k"
else
k=6.12.58-current-rockchip64
mkdir -p "$root/boot" "$root/lib/modules/$k" "$root/usr/lib/linux-image-$k/rockchip" "$root/boot/dtb-$k/rockchip"
echo "generating the boot set of $k on a fresh ext4 file system ..."
# Module sizes between 2 KiB and ~90 KiB, in 60 subdirectories, like drivers/ and fs/.
awk 'BEGIN { srand(42); for (i = 0; i < 3000; i++) printf "%d %d\n", i % 60, 2048 + int(rand() * rand() * 90000) }' |
while read -r d size; do
    dir=$root/lib/modules/$k/kernel/drivers/d$d
    [ -d "$dir" ] || mkdir -p "$dir"
    head -c "$size" /dev/urandom >"$dir/m$size-$d.ko"
done
mkdir -p "$root/lib/modules/$k/updates/dkms"
head -c 6000000 /dev/urandom >"$root/lib/modules/$k/updates/dkms/zfs.ko"
head -c 400000 /dev/urandom >"$root/lib/modules/$k/updates/dkms/spl.ko"
ln -s "/usr/src/linux-headers-$k" "$root/lib/modules/$k/build"
head -c 2000000 /dev/urandom >"$root/lib/modules/$k/modules.dep"
head -c 24000000 /dev/urandom >"$root/boot/vmlinuz-$k"
head -c 260000 /dev/urandom >"$root/boot/config-$k"
head -c 9000000 /dev/urandom >"$root/boot/System.map-$k"
head -c 11000000 /dev/urandom >"$root/boot/initrd.img-$k"
head -c 11000064 /dev/urandom >"$root/boot/uInitrd-$k"
for b in rk3399-rockpro64 rk3588-rock-5b rk3588s-orangepi-5; do
    head -c 90000 /dev/urandom >"$root/boot/dtb-$k/rockchip/$b.dtb"
    head -c 90000 /dev/urandom >"$root/usr/lib/linux-image-$k/rockchip/$b.dtb"
done
fi
files=$(find "$root" -type f | wc -l)
bytes=$(find "$root" -type f -exec cat {} + | wc -c)
store=$root/var/lib/zfsguard
sync

now() { date +%s%N; }
ms() { echo $(( ($2 - $1) / 1000000 )); }
# Between measurements: nothing left to write, and for "cold" nothing cached.
settle() {
    rm -rf "$fs/cp" "$store" "$fs/restic" "$work/restic-cache"
    sync
    [ "$1" = warm ] || echo 3 >/proc/sys/vm/drop_caches
}
cp_run() {
    mkdir -p "$fs/cp"
    t0=$(now)
    cp -a "$root/lib" "$root/boot" "$root/usr" "$fs/cp/"
    t1=$(now)
    sync
    t2=$(now)
    echo "$(ms "$t0" "$t1") $(ms "$t0" "$t2")"
}
export RESTIC_PASSWORD=zfsguard-bench
restic_run() {
    restic -q -r "$fs/restic" init >/dev/null
    sync
    [ "$1" = warm ] || echo 3 >/proc/sys/vm/drop_caches
    t0=$(now)
    (cd "$root" && restic -q -r "$fs/restic" --cache-dir "$work/restic-cache" backup lib boot usr >/dev/null)
    sync
    t1=$(now)
    ms "$t0" "$t1"
}
backup_run() {
    t0=$(now)
    "$zfsguard" --root "$root" backup --kernel "$k" >"$work/first.out"
    t1=$(now)
    ms "$t0" "$t1"
}

echo "boot set ($bootset, $k): $files files, $((bytes / 1048576)) MiB; $rounds rounds"
: >"$work/times"
r=0
while [ "$r" -lt "$rounds" ]; do
    for cache in warm cold; do
        settle "$cache"
        set -- $(cp_run)
        echo "cp-$cache $1" >>"$work/times"
        echo "cpsync-$cache $2" >>"$work/times"
        settle "$cache"
        echo "restic-$cache $(restic_run "$cache")" >>"$work/times"
        # the last first backup stays in the store for the second backup below
        settle "$cache"
        echo "backup-$cache $(backup_run)" >>"$work/times"
    done
    r=$((r + 1))
done

# Second backup of the unchanged set: what it added = files in the store newer
# than a marker (retention then drops the first backup's manifest, so the
# store's total size says nothing).
touch "$work/marker"
sleep 1
t0=$(now)
"$zfsguard" --root "$root" backup --kernel "$k" >"$work/second.out"
t1=$(now)
second=$(ms "$t0" "$t1")
added=$(find "$store/backups" -type f -newer "$work/marker" -exec stat -c %s {} + | awk '{ n += $1 } END { print n + 0 }')
"$zfsguard" --root "$root" verify >"$work/verify.out"
# restic's second backup of the unchanged set, for comparison (warm)
settle warm
restic_run warm >/dev/null
touch "$work/marker"
sleep 1
t0=$(now)
(cd "$root" && restic -q -r "$fs/restic" --cache-dir "$work/restic-cache" backup lib boot usr >/dev/null)
sync
t1=$(now)
rsecond=$(ms "$t0" "$t1")
radded=$(find "$fs/restic" -type f -newer "$work/marker" -exec stat -c %s {} + | awk '{ n += $1 } END { print n + 0 }')

t0=$(now)
"$zfsguard" --version >/dev/null
t1=$(now)
jvm=$(ms "$t0" "$t1")

median() { awk -v k="$1" '$1 == k { print $2 }' "$work/times" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
mibs() { awk -v n="$bytes" -v t="$1" 'BEGIN { printf "%6.1f MiB/s", n / 1048576 / (t / 1000) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'; }
echo
for cache in warm cold; do
    cp=$(median "cp-$cache")
    cps=$(median "cpsync-$cache")
    b=$(median "backup-$cache")
    rs=$(median "restic-$cache")
    echo "$cache page cache (medians):"
    printf '  restic + sync:   %5d ms  %s\n' "$rs" "$(mibs "$rs")"
    printf '  cp -a:           %5d ms  %s\n' "$cp" "$(mibs "$cp")"
    printf '  cp -a + sync:    %5d ms  %s\n' "$cps" "$(mibs "$cps")"
    printf '  first backup:    %5d ms  %s\n' "$b" "$(mibs "$b")"
    echo "    throughput vs restic + sync: $(ratio "$rs" "$b")   (target >= 1x)"
    echo "    throughput vs cp -a:         $(ratio "$cp" "$b")"
    echo "    throughput vs cp -a + sync:  $(ratio "$cps" "$b")"
done
echo "zfsguard --version alone (JVM start, warm): $jvm ms"
echo "second backup of the unchanged set: $second ms; bytes added: $added of $bytes ($(awk -v a="$added" -v b="$bytes" 'BEGIN { printf "%.3f%%", 100 * a / b }'); target < 1%)"
echo "restic's second backup of the unchanged set: $rsecond ms; bytes added: $radded"
echo "zfsguard said:"
sed 's/^/  /' "$work/first.out" "$work/second.out" "$work/verify.out"
