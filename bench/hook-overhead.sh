#!/bin/sh
# What zfsguard's apt hooks cost on the common path: `apt-get install
# --reinstall` of a small unrelated package in two Debian chroots that differ
# only in zfsguard being installed, alternating, in one run (and swapped half
# way). Prints medians and the ratio (target <= 1.02: the common path starts
# no JVM), and the installed hook lines timed on their own. Run as root.
#
# usage: bench/hook-overhead.sh [RUNS]       (default 40 each)
# needs: mvn package done (zfsguard-deb/target/zfsguard.deb), debootstrap;
#        the chroot base is cached in ~/.cache/zfsguard-bench/.
set -eu

runs=${1:-40}
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
    for c in A B; do umount "$work/$c/proc" 2>/dev/null || true; done
    rm -rf --one-file-system "$work"
}
trap cleanup EXIT INT TERM

# An unrelated package, like the sysstat of the over-triggering bug.
mkdir -p "$work/pkg/DEBIAN" "$work/pkg/usr/share/doc/bench-standin"
printf 'Package: bench-standin\nVersion: 1.0\nArchitecture: all\nMaintainer: Bench <bench@zfsguard.org>\nDescription: unrelated package\n' \
    >"$work/pkg/DEBIAN/control"
echo hello >"$work/pkg/usr/share/doc/bench-standin/README"
dpkg-deb --root-owner-group --build "$work/pkg" "$work/bench-standin.deb" >/dev/null

# Two chroots, A and B, from one base. Two identical chroots differ by about
# 1% in speed on their own (where their files landed on the disk), so
# zfsguard is installed in A for the first half of the runs and in B (purged
# from A) for the second half: each chroot is measured with and without it.
for c in A B; do
    mkdir -p "$work/$c"
    tar -C "$work/$c" -xf "$base"
    mount -t proc proc "$work/$c/proc"
    printf '#!/bin/sh\nexit 101\n' >"$work/$c/usr/sbin/policy-rc.d"
    chmod 755 "$work/$c/usr/sbin/policy-rc.d"
    cp "$work/bench-standin.deb" "$deb" "$work/$c/root/"
    chroot "$work/$c" apt-get install -y -qq /root/bench-standin.deb >/dev/null 2>&1
done
install_in() { # chroot
    chroot "$1" apt-get install -y -qq /root/zfsguard.deb >/dev/null 2>&1
    chroot "$1" test -x /usr/bin/zfsguard || { echo "zfsguard did not install in $1" >&2; exit 1; }
}
purge_from() { # chroot
    chroot "$1" apt-get purge -y -qq zfsguard >/dev/null 2>&1
    ! chroot "$1" test -e /usr/bin/zfsguard || { echo "zfsguard did not purge from $1" >&2; exit 1; }
}

reinstall() { # chroot
    t0=$(date +%s%N)
    chroot "$1" env ZFSGUARD_TRACE=/root/jvm-starts apt-get install -y -qq --reinstall /root/bench-standin.deb >/dev/null 2>&1
    t1=$(date +%s%N)
    echo $(( (t1 - t0) / 1000000 ))
}
# One warm-up each, then pairs in alternating order (without-with, with-without,
# ...) so that a drift of the machine's speed weighs on both sides alike.
measure() { # chroot without, chroot with, pairs
    reinstall "$1" >/dev/null
    reinstall "$2" >/dev/null
    i=0
    while [ $i -lt "$3" ]; do
        if [ $((i % 2)) = 0 ]; then
            a=$(reinstall "$1"); b=$(reinstall "$2")
        else
            b=$(reinstall "$2"); a=$(reinstall "$1")
        fi
        echo "$a $b" >>"$work/times"
        i=$((i + 1))
    done
}
: >"$work/times"
first=$((runs / 2))
install_in "$work/A"
measure "$work/B" "$work/A" "$first"
cp "$work/A/root/jvm-starts" "$work/jvm-starts" 2>/dev/null || : >"$work/jvm-starts"
purge_from "$work/A"
install_in "$work/B"
measure "$work/A" "$work/B" $((runs - first))
cat "$work/B/root/jvm-starts" >>"$work/jvm-starts" 2>/dev/null || true
starts=$(wc -l <"$work/jvm-starts")
# Medians and quartiles of each side, and the median of the per-pair ratios,
# which is less sensitive to a slow moment than the ratio of two medians.
stats() { # column
    awk -v c="$1" '{ print $c }' "$work/times" | sort -n |
        awk '{ a[NR] = $1 } END { printf "median %d ms (quartiles %d-%d)", a[int((NR + 1) / 2)], a[int((NR + 3) / 4)], a[int((3 * NR + 3) / 4)] }'
}
a=$(awk '{ print $1 }' "$work/times" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
b=$(awk '{ print $2 }' "$work/times" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
paired=$(awk '{ printf "%.4f\n", $2 / $1 }' "$work/times" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
# Cross-check: the hook command lines alone, exactly as installed, run the way
# apt and dpkg run them (sh -c; apt's stream for an unrelated package on
# standard input; DPKG_FRONTEND_LOCKED set when apt drives dpkg, which runs
# its post-invoke hook twice: after unpacking and after configuring).
cp "$here/zfsguard-core/src/test/resources/apt-streams/03-unrelated-package.v3" "$work/B/root/stream"
pre=$(sed -n 's/^DPkg::Pre-Install-Pkgs { "\(.*\)"; };$/\1/p' "$work/B/etc/apt/apt.conf.d/80zfsguard")
post=$(sed -n 's/^DPkg::Post-Invoke { "\(.*\)"; };$/\1/p' "$work/B/etc/apt/apt.conf.d/80zfsguard")
dpkgpost=$(sed -n 's/^post-invoke=//p' "$work/B/etc/dpkg/dpkg.cfg.d/zfsguard")
[ -n "$pre" ] && [ -n "$post" ] && [ -n "$dpkgpost" ] || { echo "cannot read the installed hook lines" >&2; exit 1; }
# shellcheck disable=SC2016 # expanded inside the chroot
hook_us() { # command line, stdin file
    chroot "$work/B" env DPKG_FRONTEND_LOCKED=1 sh -c '
        n=200 i=0 s=$(date +%s%N)
        while [ $i -lt $n ]; do sh -c "$1" <"$2"; i=$((i + 1)); done
        echo $(( ($(date +%s%N) - s) / n / 1000 ))' hook "$1" "$2"
}
pre_us=$(hook_us "$pre" /root/stream)
post_us=$(hook_us "$post" /dev/null)
dpkg_us=$(hook_us "$dpkgpost" /dev/null)
echo "apt-get install --reinstall, unrelated package, $runs runs each, alternating; zfsguard in one chroot, then in the other"
echo "without zfsguard: $(stats 1)"
echo "with zfsguard:    $(stats 2)"
echo "JVM starts during the runs with zfsguard: $starts"
awk -v a="$a" -v b="$b" 'BEGIN { printf "ratio of medians with/without: %.3f (target <= 1.02)\n", b / a }'
echo "median of per-pair ratios:     $paired"
total_us=$((pre_us + post_us + 2 * dpkg_us))
echo "the hooks alone, per apt run: pre-install $pre_us us + post-invoke $post_us us + 2 x dpkg post-invoke $dpkg_us us = $total_us us"
awk -v t="$total_us" -v a="$a" 'BEGIN { printf "  = %.2f%% of the median without zfsguard\n", t / 10 / a }'
