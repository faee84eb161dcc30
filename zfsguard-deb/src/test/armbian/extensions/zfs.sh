#!/usr/bin/env bash
#
# STAND-IN for Armbian's own extensions/zfs.sh, with its hook points and
# function names: forces the kernel headers in, then installs zfs-dkms into
# the image chroot after the kernel packages. The real one installs
# "zfs-dkms zfsutils-linux" from the distribution; this one installs the FAKE
# zfs-dkms the test put at ZFS_DKMS_DEB (a host path).

function extension_finish_config__build_zfs_kernel_module() {
	declare -g INSTALL_HEADERS="yes"
	display_alert "Forcing INSTALL_HEADERS=yes; for use with ZFS" "${EXTENSION}" "debug"
}

function post_install_kernel_debs__build_zfs_kernel_module() {
	[[ "${INSTALL_HEADERS}" != "yes" ]] && return 0
	display_alert "Install ZFS packages, will build kernel module in chroot" "${EXTENSION}" "info"
	cp "${ZFS_DKMS_DEB:?}" "${SDCARD}/root/zfs-dkms-standin.deb"
	use_clean_environment="yes" chroot_sdcard_apt_get_install "/root/zfs-dkms-standin.deb"
}
