#!/bin/bash
#
# userpatches/customize-image.sh: ship zfsguard in an Armbian image and refuse
# an image whose kernel would boot without ZFS. For builds that do not use the
# zfsguard extension (armbian/extensions/zfsguard.sh does the same from the
# build framework's hooks).
#
# The build framework runs this inside the image chroot, after the kernel, its
# headers, the BSP and the packages of extensions such as "zfs" are installed:
#
#   customize-image.sh RELEASE LINUXFAMILY BOARD BUILD_DESKTOP ARCH
#
# with userpatches/overlay bind-mounted read-only at /tmp/overlay. Put
# zfsguard_<version>_all.deb there. In this chroot "uname -r" is the build
# host's kernel and services do not start; zfsguard never takes the running
# kernel for the image's and needs no service.
#
# A non-zero exit makes the build stop ("customize-image.sh exited with
# error") before the image is made. Install ZFS itself (or enable the "zfs"
# extension) before the zfsguard part below.

set -eu

RELEASE=${1:-}
LINUXFAMILY=${2:-}
BOARD=${3:-}
BUILD_DESKTOP=${4:-}
ARCH=${5:-}

# "fail": stop the build when the image would boot without ZFS; "warn": only say so.
ZFSGUARD_IMAGE_CHECK=fail
# Lines for /etc/zfsguard/zfsguard.conf.d/50-image.conf (keys of zfsguard.conf(5));
# leave empty to keep the package's defaults.
ZFSGUARD_SETTINGS='max_temp = 75
jobs = 1'

say() {
	echo "zfsguard customize-image: $*"
}

install_zfsguard() {
	deb=
	for candidate in /tmp/overlay/zfsguard*.deb; do
		[ -f "${candidate}" ] && deb=${candidate}
	done
	if [ -z "${deb}" ]; then
		say "no zfsguard*.deb in userpatches/overlay; next: copy zfsguard_<version>_all.deb into userpatches/overlay/" >&2
		return 1
	fi
	say "installing ${deb##*/} (${RELEASE} ${ARCH}, ${BOARD}, ${LINUXFAMILY}, desktop: ${BUILD_DESKTOP:-no})"
	DEBIAN_FRONTEND=noninteractive apt-get -y -qq -o Dpkg::Use-Pty=0 --no-install-recommends install "${deb}"
	if [ -n "${ZFSGUARD_SETTINGS}" ]; then
		mkdir -p /etc/zfsguard/zfsguard.conf.d
		printf '# Written by the Armbian image build (customize-image.sh).\n%s\n' "${ZFSGUARD_SETTINGS}" \
			>/etc/zfsguard/zfsguard.conf.d/50-image.conf
	fi
}

# From the files alone: an image without ZFS never starts a JVM here.
image_has_zfs() {
	for f in /usr/src/zfs-*/META /var/lib/dpkg/info/zfs-dkms.list /var/lib/dpkg/info/zfsutils-linux.list \
		/lib/modules/*/updates/dkms/zfs.ko* /lib/modules/*/extra/zfs.ko* /lib/modules/*/kernel/zfs/zfs.ko*; do
		[ -e "${f}" ] && return 0
	done
	return 1
}

check_image() {
	if ! image_has_zfs; then
		say "no ZFS in the image, nothing to check"
		return 0
	fi
	# With zfs-initramfs the initramfs must hold the module just built.
	if [ -f /usr/share/initramfs-tools/hooks/zfs ] && command -v update-initramfs >/dev/null; then
		TMPDIR=/tmp update-initramfs -u -k all
	fi
	rc=0
	verdict=$(env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 zfsguard check 2>&1) || rc=$?
	echo "${verdict}"
	[ "${rc}" -eq 0 ] && return 0
	env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 zfsguard status || true
	if [ "${ZFSGUARD_IMAGE_CHECK}" = warn ]; then
		say "ZFSGUARD_IMAGE_CHECK=warn: building the image anyway"
		return 0
	fi
	say "the image would boot without ZFS; next: build a kernel branch the installed OpenZFS supports, or set ZFSGUARD_IMAGE_CHECK=warn in customize-image.sh" >&2
	return 1
}

install_zfsguard
check_image
