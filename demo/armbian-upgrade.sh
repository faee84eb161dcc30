#!/usr/bin/env bash
# The operator's story of an Armbian kernel upgrade, on a machine without a board:
# a throw-away Debian 12 chroot (the chroot suites' cached base), the built
# zfsguard package, FAKE Armbian kernel and ZFS packages, and real apt and dpkg.
# The chroot is removed on success, failure and Ctrl-C; the host is left as it was.
#
# Needs root and the build (mvn -B package). The first run debootstraps the base
# into ~/.cache/zfsguard-test/ (network, a few minutes); later runs reuse it.
#   usage: demo/armbian-upgrade.sh [ZFSGUARD_DEB]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
deb=${1:-$top/zfsguard-deb/target/zfsguard.deb}
classpath_file=$top/zfsguard-deb/target/demo.classpath
classes=$top/zfsguard-deb/target/test-classes

if [ "$(id -u)" != 0 ]; then
    echo "demo: needs root (it makes a chroot and mounts /proc in it); next: sudo $0" >&2
    exit 1
fi
for f in "$deb" "$classpath_file" "$classes/org/zfsguard/deb/ArmbianUpgradeDemo.class"; do
    [ -e "$f" ] || { echo "demo: $f is missing; next: mvn -B package" >&2; exit 1; }
done
for tool in java debootstrap dpkg-deb dpkg-scanpackages chroot; do
    command -v "$tool" >/dev/null || { echo "demo: $tool is missing; next: sudo .ci/install-deps" >&2; exit 1; }
done

workdirs=$(mktemp)
cleanup() {
    # The Java side removes its directories itself, also on Ctrl-C; this is for a JVM killed outright.
    local dir p
    while read -r dir; do
        case $dir in
        /var/tmp/zfsguard-chroot-*)
            [ -d "$dir" ] || continue
            echo "demo: removing the chroot $dir" >&2
            # What the JVM started in the chroot outlives it: stop it before unmounting.
            for p in /proc/[0-9]*; do
                case $(readlink "$p/root" 2>/dev/null) in "$dir"/*) kill -9 "${p#/proc/}" 2>/dev/null || true ;; esac
            done
            awk -v d="$dir/" 'index($2, d) == 1 { print $2 }' /proc/self/mounts | sort -r |
                while read -r m; do umount "$m" || umount -l "$m"; done
            rm -rf --one-file-system "$dir" ;;
        /var/tmp/zfsguard-fake-debs-*)
            rm -rf --one-file-system "$dir" ;;
        esac
    done <"$workdirs"
    rm -f "$workdirs"
}
trap cleanup EXIT
# bash runs these once java, which got the same signal and cleans up, has exited.
trap 'exit 130' INT
trap 'exit 143' TERM

java -XX:TieredStopAtLevel=1 -cp "$classes:$(cat "$classpath_file")" \
    org.zfsguard.deb.ArmbianUpgradeDemo "$deb" "$workdirs"
