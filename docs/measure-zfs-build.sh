#!/bin/bash
# Measures one real DKMS build of ZFS (disk, memory, time, job count) without touching
# the host: a private mount namespace with overlays on /usr, /etc and /var receives the
# files of the given .debs (dkms, zfs-dkms, the kernel headers), and DKMS builds as it
# would after a kernel upgrade, with the /etc/dkms/zfs.conf block of
# docs/dkms-autoinstall.md in place.
#
# Usage (root): docs/measure-zfs-build.sh KERNEL_RELEASE DEB...
#   e.g. measure-zfs-build.sh 6.1.0-56-amd64 dkms_*.deb zfs-dkms_*.deb \
#        linux-headers-6.1.0-56-amd64_*.deb linux-headers-6.1.0-56-common_*.deb linux-kbuild-6.1_*.deb
# Needs gcc and make on the host (the compiler the headers were made with).
set -eu
if [ "${1:-}" != --inside ]; then
    K=$1; shift
    debs=""
    for d in "$@"; do debs="$debs $(readlink -f "$d")"; done
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    export K debs work
    unshare --mount --propagation private "$0" --inside
    exit
fi
for d in usr etc var; do
    mkdir -p "$work/$d-up" "$work/$d-wk"
    mount -t overlay overlay -o lowerdir=/$d,upperdir=$work/$d-up,workdir=$work/$d-wk /$d
done
for deb in $debs; do
    mkdir -p "$work/x" && rm -rf "$work/x"/* && dpkg-deb -x "$deb" "$work/x"
    tar -C "$work/x" -cf - . | tar -C / -xf - --keep-directory-symlink
done
# modinfo/depmod only matter for "dkms install"; this measures "dkms build".
mkdir -p /var/lib/dkms /usr/lib/modules/$K
ln -sfn /usr/src/linux-headers-$K /usr/lib/modules/$K/build
cat > /etc/dkms/zfs.conf <<"CONF"
# >>> zfsguard: bound DKMS's own ZFS builds to one compiler job (managed by zfsguard)
case "${ZFSGUARD_JOBS:-}" in
    [1-9] | [1-5][0-9] | 6[0-4]) MAKE[0]="${MAKE[0]} -j${ZFSGUARD_JOBS}" ;;
    *) MAKE[0]="${MAKE[0]} -j1" ;;
esac
# <<< zfsguard
CONF
v=$(ls /usr/src | sed -n 's/^zfs-//p' | head -1)
echo "kernel $K, zfs $v, $(nproc) CPUs, dkms $(dkms --version)"
echo "source tree /usr/src/zfs-$v: $(du -sm /usr/src/zfs-$v | cut -f1) MiB"
dkms add zfs/$v >/dev/null
# Record every make command line DKMS starts, to see the job count it really used.
# Also sample the size of the DKMS tree: DKMS deletes the build directory when done.
( while sleep 2; do
      ps -eo args= | grep '^make -j' || true
      echo "du $(du -sm /var/lib/dkms/zfs 2>/dev/null | cut -f1)" >> "$work/du"
  done ) > "$work/make-args" 2>/dev/null &
sampler=$!
start=$(date +%s)
rc=0
/usr/bin/time -v -o "$work/time" dkms build zfs/$v -k $K > "$work/dkms.out" 2>&1 || rc=$?
end=$(date +%s)
kill $sampler
echo "dkms build exit status $rc, $((end - start)) s wall"
grep -E "Maximum resident set size|Elapsed|User time|System time" "$work/time"
echo "make command lines seen:"; sort -u "$work/make-args" | cut -c1-120
echo "peak size of /var/lib/dkms/zfs during the build: $(sed -n 's/^du //p' "$work/du" | sort -n | tail -1) MiB"
echo "/var/lib/dkms/zfs after the build: $(du -sm /var/lib/dkms/zfs | cut -f1) MiB"
echo "built modules:"; find /var/lib/dkms/zfs/$v/$K -name '*.ko*' -printf '  %f %s bytes\n'
log=$(find /var/lib/dkms/zfs/$v/$K -name make.log | head -1)
echo "objects compiled (from $log): $(grep -cE '^\s*(CC|AS) \[M\]' "$log")"
tail -5 "$work/dkms.out"
