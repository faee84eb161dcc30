#!/bin/sh
# Measures `zfsguard status` on a fixture root with 8 kernels, a DKMS tree and
# initramfs images, against the JVM start floor (`java -Xshare:auto -version`)
# and against `dkms status` on the same tree. Prints median wall time and peak
# RSS of each. Not a test: numbers depend on the machine.
#
# usage: bench/status-bench.sh [RUNS]        (default 10 runs each)
# needs: mvn package done (zfsguard-deb/target/stage/jars), java 17+, gcc,
#        objcopy, cpio, gzip, GNU time; dkms (apt install dkms) for the comparison.
set -eu

runs=${1:-10}
here=$(cd "$(dirname "$0")/.." && pwd)
jar=$here/zfsguard-deb/target/stage/jars/zfsguard.jar
[ -r "$jar" ] || { echo "no $jar: run 'mvn -B package -DskipTests' first" >&2; exit 2; }
for tool in java gcc objcopy cpio gzip /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 2; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/zfsguard-bench.XXXXXX")
# ZFSGUARD_BENCH_KEEP=1 keeps the fixture root for a look afterwards.
[ "${ZFSGUARD_BENCH_KEEP:-}" = 1 ] && echo "fixture kept in $work" || trap 'rm -rf "$work"' EXIT
root=$work/root
zver=2.2.7

# --- a tiny module object per (name, kernel): gcc once, objcopy per module ---
printf 'int zfsguard_bench(void) { return 0; }\n' >"$work/m.c"
gcc -c -O0 -o "$work/base.o" "$work/m.c"
module() { # name kernel out
    printf 'version=%s-1\0license=CDDL\0srcversion=0123456789ABCDEF\0depends=\0name=%s\0vermagic=%s SMP preempt mod_unload modversions \0' \
        "$zver" "$1" "$2" >"$work/modinfo"
    mkdir -p "$(dirname "$3")"
    objcopy --add-section .modinfo="$work/modinfo" --set-section-flags .modinfo=alloc,readonly "$work/base.o" "$3"
}

kernels="6.1.0-10-amd64 6.1.0-11-amd64 6.1.0-12-amd64 6.1.0-13-amd64 6.1.0-14-amd64 6.1.0-15-amd64 6.1.0-16-amd64 6.1.0-17-amd64"
newest=6.1.0-17-amd64

mkdir -p "$root/boot" "$root/var/lib/dpkg/info" "$root/usr/src/zfs-$zver" "$root/var/lib/dkms/zfs/$zver"
cat >"$root/usr/src/zfs-$zver/META" <<META
Meta:          1
Name:          zfs
Branch:        1.0
Version:       $zver
Release:       1
Release-Tags:  relext
License:       CDDL
Author:        OpenZFS
Linux-Maximum: 6.12
Linux-Minimum: 4.18
META
cat >"$root/usr/src/zfs-$zver/dkms.conf" <<CONF
PACKAGE_NAME="zfs"
PACKAGE_VERSION="$zver"
BUILT_MODULE_NAME[0]="zfs"
BUILT_MODULE_LOCATION[0]="module/"
DEST_MODULE_LOCATION[0]="/updates/dkms"
BUILT_MODULE_NAME[1]="spl"
BUILT_MODULE_LOCATION[1]="module/"
DEST_MODULE_LOCATION[1]="/updates/dkms"
AUTOINSTALL="yes"
CONF
# Relative, unlike DKMS's own absolute link, so that dkms --dkmstree finds it on the host too.
ln -s "../../../../../usr/src/zfs-$zver" "$root/var/lib/dkms/zfs/$zver/source"
printf '/.\n/usr/src/zfs-%s\n' "$zver" >"$root/var/lib/dpkg/info/zfs-dkms.list"
printf '/.\n' >"$root/var/lib/dpkg/info/zfs-initramfs.list"
printf '/.\n' >"$root/var/lib/dpkg/info/zfsutils-linux.list"
# Realistic noise: a dpkg info directory with many packages' lists.
i=0; while [ $i -lt 600 ]; do printf '/.\n/usr/share/doc/pkg%s\n' $i >"$root/var/lib/dpkg/info/pkg$i.list"; i=$((i+1)); done

for k in $kernels; do
    m=$root/lib/modules/$k
    mkdir -p "$m/kernel/fs/ext4" "$m/kernel/drivers/net"
    i=0; while [ $i -lt 200 ]; do : >"$m/kernel/drivers/net/d$i.ko"; i=$((i+1)); done
    printf 'kernel/fs/ext4/ext4.ko:\n' >"$m/modules.dep"
    printf 'kernel/fs/ext4/ext4.ko\n' >"$m/modules.order"
    head -c 4000000 /dev/zero >"$root/boot/vmlinuz-$k"
    printf 'CONFIG_ZFS=n\n' >"$root/boot/config-$k"
    printf '/.\n/boot/vmlinuz-%s\n/boot/config-%s\n/lib/modules/%s\n/lib/modules/%s/kernel\n' "$k" "$k" "$k" "$k" \
        >"$root/var/lib/dpkg/info/linux-image-$k.list"
    # initramfs: early microcode cpio, then a gzip main cpio with some bulk before the modules.
    ir=$work/ir-$k
    mkdir -p "$ir/early/kernel/x86/microcode" "$ir/main/usr/lib/modules/$k/kernel/fs" "$ir/main/scripts"
    head -c 200000 /dev/urandom >"$ir/early/kernel/x86/microcode/GenuineIntel.bin"
    printf '#!/bin/sh\n' >"$ir/main/init"
    i=0; while [ $i -lt 40 ]; do head -c 50000 /dev/urandom | od -An -tx1 >"$ir/main/usr/lib/modules/$k/kernel/fs/m$i.ko"; i=$((i+1)); done
    if [ "$k" != "$newest" ]; then
        for n in zfs spl; do
            module $n "$k" "$m/updates/dkms/$n.ko"
            module $n "$k" "$root/var/lib/dkms/zfs/$zver/$k/x86_64/module/$n.ko"
            module $n "$k" "$ir/main/usr/lib/modules/$k/updates/dkms/$n.ko"
        done
        mkdir -p "$root/var/lib/dkms/zfs/$zver/$k/x86_64/log"
        printf 'make ok\n' >"$root/var/lib/dkms/zfs/$zver/$k/x86_64/log/make.log"
        ln -s "$zver/$k/x86_64" "$root/var/lib/dkms/zfs/kernel-$k-x86_64"
    fi
    (cd "$ir/early" && find . | cpio -o -H newc --quiet) >"$root/boot/initrd.img-$k"
    (cd "$ir/main" && find . | sort | cpio -o -H newc --quiet | gzip -6) >>"$root/boot/initrd.img-$k"
done
ln -s "boot/vmlinuz-$newest" "$root/vmlinuz"
rm -rf "$work"/ir-*

flags="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xss512k -Xms8m -Xmx128m -XX:-UsePerfData -Xlog:disable -Xlog:all=warning:stderr"
# AppCDS archive as the package's postinst makes it.
# shellcheck disable=SC2086
java -XX:ArchiveClassesAtExit="$work/zfsguard.jsa" $flags -jar "$jar" status --root "$root" >/dev/null 2>&1 || true

# Runs "$@" $runs times; prints "median_ms max_rss_kib".
measure() {
    : >"$work/times"
    n=0
    while [ $n -lt "$runs" ]; do
        /usr/bin/time -f '%e %M' -o "$work/one" "$@" >/dev/null 2>"$work/err" || true
        tail -n 1 "$work/one" >>"$work/times" # GNU time puts "exited with non-zero status" first
        n=$((n+1))
    done
    sort -n "$work/times" | awk -v n="$runs" '
        { t[NR] = $1 * 1000; if ($2 > rss) rss = $2 }
        END { m = (n % 2) ? t[(n + 1) / 2] : (t[n / 2] + t[n / 2 + 1]) / 2; printf "%d %d\n", m, rss }'
}

echo "fixture: 8 kernels (7 with zfs $zver, newest without), DKMS tree, gzip initrds with early cpio; $runs runs each"
echo "sample output of zfsguard check:"
# shellcheck disable=SC2086
java $flags -jar "$jar" check --root "$root" || true
echo

# Prints one table row per "label|command" argument, ratio against the first row.
table() {
    for entry in "$@"; do
        label=${entry%%|*}
        cmd=${entry#*|}
        # shellcheck disable=SC2086
        result=$(measure $cmd)
        ms=${result% *}
        rss=${result#* }
        [ -n "$floor" ] || floor=$ms
        printf '%-46s %10s %12s   (%s x floor)\n' "$label" "$ms" "$(awk -v r="$rss" 'BEGIN { printf "%.1f", r / 1024 }')" \
            "$(awk -v a="$ms" -v b="$floor" 'BEGIN { printf "%.2f", a / b }')"
    done
}

cds="-XX:SharedArchiveFile=$work/zfsguard.jsa"
printf '%-46s %10s %12s\n' "command" "median ms" "peak RSS MiB"
floor=
# Without /var/cache/zfsguard every run decompresses every initramfs.
table "jvm floor (java -Xshare:auto -version)|java -Xshare:auto -version" \
    "zfsguard --version, AppCDS (CLI start, no work)|java $cds $flags -jar $jar --version" \
    "zfsguard status, no cache|java $flags -jar $jar status --root $root" \
    "zfsguard status --json, no cache|java $flags -jar $jar status --json --root $root" \
    "zfsguard status, AppCDS, no cache|java $cds $flags -jar $jar status --root $root"
# As installed: the package owns /var/cache/zfsguard; the first run fills the initramfs cache.
mkdir -p "$root/var/cache/zfsguard"
# shellcheck disable=SC2086
java $cds $flags -jar "$jar" status --root "$root" >/dev/null
table "zfsguard status, AppCDS, initramfs cache|java $cds $flags -jar $jar status --root $root" \
    "zfsguard check, AppCDS, initramfs cache|java $cds $flags -jar $jar check --root $root"
if command -v dkms >/dev/null; then
    table "dkms status|dkms status --dkmstree $root/var/lib/dkms --sourcetree $root/usr/src --installtree $root/lib/modules"
else
    echo "dkms not installed: no dkms comparison (apt install dkms)"
fi

if command -v dkms >/dev/null; then
    echo
    echo "dkms status says:"
    dkms status --dkmstree "$root/var/lib/dkms" --sourcetree "$root/usr/src" --installtree "$root/lib/modules" 2>&1 | head -10
fi
