#!/bin/bash
# Proves the DKMS autoinstall mechanism of docs/dkms-autoinstall.md against the real
# dkms script of Debian 12 (3.0.10-8+deb12u1), without touching the host: everything
# runs in a private mount namespace with overlays over /usr, /etc and /var.
#
# Usage (as root): docs/dkms-autoinstall-proof.sh /path/to/dkms_3.0.10-8+deb12u1_all.deb
# Get the package with: apt-get download dkms
#
# Two dummy DKMS modules stand in for real ones: "zfs" and "othermod", both with
# AUTOINSTALL="yes" like zfs-dkms. Their "make" only records the make flags DKMS passed
# and creates an empty .ko; modinfo and depmod are stubs, since the proof is about which
# builds DKMS starts and with how many jobs, not about compiling.
set -eu
if [ "${1:-}" != --inside ]; then
    deb=$(readlink -f "$1")
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    export deb work
    unshare --mount --propagation private "$0" --inside
    exit
fi
for d in usr etc var; do
    mkdir -p "$work/$d-up" "$work/$d-wk"
    mount -t overlay overlay -o lowerdir=/$d,upperdir=$work/$d-up,workdir=$work/$d-wk /$d
done
mkdir -p "$work/pkg" && dpkg-deb -x "$deb" "$work/pkg"
cp -a "$work/pkg/usr/." /usr/ && cp -a "$work/pkg/etc/." /etc/
printf "#!/bin/sh\nexit 0\n" > /usr/sbin/depmod
printf "#!/bin/sh\necho \"version:        9.9.9\"\necho \"srcversion:     0\"\n" > /usr/sbin/modinfo
chmod 755 /usr/sbin/depmod /usr/sbin/modinfo
K=9.9.9-proof
mkdir -p /var/lib/dkms /etc/dkms/framework.conf.d
mkdir -p /usr/lib/modules/$K/build/include && touch /usr/lib/modules/$K/build/.config
log=/var/tmp/make-flags.log
: > $log
for m in zfs othermod; do
    mkdir -p /usr/src/$m-1.0
    cat > /usr/src/$m-1.0/dkms.conf <<CONF
PACKAGE_NAME="$m"
PACKAGE_VERSION="1.0"
AUTOINSTALL="yes"
MAKE[0]="make"
CLEAN="true"
BUILT_MODULE_NAME[0]="$m"
DEST_MODULE_LOCATION[0]="/updates/dkms"
CONF
    printf "all:\n\t@echo \"$m: \$(MAKEFLAGS)\" >> $log\n\t@touch $m.ko\n" > /usr/src/$m-1.0/Makefile
    dkms add $m/1.0 >/dev/null
done
clean() { for m in zfs othermod; do dkms unbuild $m/1.0 -k $K >/dev/null 2>&1 || true; done; : > $log; }
show() { echo "--- $1"; echo "    hook exit status: ${rc:--}"; rc=; sed "s/--jobserver-[a-z]*=[^ ]*//" $log; dkms status | sed "s/^/    status: /"; }

echo "dkms $(dkms --version)"
# The kernel hook exactly as linux-image postinst runs it (run-parts --exit-on-error):
# its exit status decides whether the kernel package gets configured.
hook() { rc=0; /etc/kernel/postinst.d/dkms $K >/dev/null 2>&1 || rc=$?; }

hook; show "A. kernel hook, stock configuration"; clean

echo "parallel_jobs=1" > /etc/dkms/framework.conf.d/proof.conf
hook; show "B. kernel hook, parallel_jobs=1 in /etc/dkms/framework.conf.d (3.0.x ignores it)"
rm /etc/dkms/framework.conf.d/proof.conf; clean

export MAKEFLAGS=-j1; hook; unset MAKEFLAGS
show "C. kernel hook, MAKEFLAGS=-j1 in the environment (ignored)"; clean

echo 'AUTOINSTALL=""' > /etc/dkms/zfs.conf
hook; show 'D. kernel hook, /etc/dkms/zfs.conf: AUTOINSTALL="" (not read by 3.0.10 autoinstall)'; clean

echo 'BUILD_EXCLUSIVE_KERNEL="^$"' > /etc/dkms/zfs.conf
hook; show 'E. kernel hook, /etc/dkms/zfs.conf: BUILD_EXCLUSIVE_KERNEL="^$" (skips zfs but fails the hook)'; clean

cat > /etc/dkms/zfs.conf <<"CONF"
# zfsguard: DKMS may build ZFS on its own (kernel hook, zfs-dkms postinst), but never
# with more than one compiler job unless zfsguard asks for more.
case "${ZFSGUARD_JOBS:-}" in
    [1-9] | [1-5][0-9] | 6[0-4]) MAKE[0]="${MAKE[0]} -j${ZFSGUARD_JOBS}" ;;
    *) MAKE[0]="${MAKE[0]} -j1" ;;
esac
CONF
hook; show "F. kernel hook, /etc/dkms/zfs.conf appends -j1 to MAKE[0] (the chosen mechanism)"; clean

dkms install zfs/1.0 -k $K >/dev/null
show "G. same override, plain 'dkms install zfs/1.0 -k K' (nproc by default)"; clean

nice -n 19 ionice -c 3 env parallel_jobs=2 ZFSGUARD_JOBS=2 dkms install zfs/1.0 -k $K -j 2 >/dev/null
show "H. same override, zfsguard asking for 2 jobs: parallel_jobs=2 ZFSGUARD_JOBS=2 dkms install zfs/1.0 -k K -j 2"; clean

echo 'MAKE[0]="${MAKE[0]} -j1"' > /etc/dkms/othermod.conf
rm /etc/dkms/zfs.conf
hook; show "I. control: the same line in /etc/dkms/othermod.conf touches only othermod"
rm /etc/dkms/othermod.conf; clean

hook; show "J. overrides removed: stock behaviour again"
