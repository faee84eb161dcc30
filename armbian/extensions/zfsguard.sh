#!/usr/bin/env bash
#
# zfsguard: ship zfsguard in the image and refuse an image whose kernel would
# boot without ZFS.
#
# Armbian's own "zfs" extension installs zfs-dkms into the image and checks
# nothing: a kernel newer than that OpenZFS supports, or a DKMS build that
# failed, gives an image that boots without its pools. This extension installs
# zfsguard into the image once the kernel, its headers, ZFS and the BSP are in,
# and asks zfsguard, inside the image, whether the kernel the image boots has a
# ZFS module built for it from the installed OpenZFS (and packed in its
# initramfs when ZFS loads from there). If not, the build stops before the
# image is made.
#
# Enable with ENABLE_EXTENSIONS=zfsguard (together with "zfs" or alone).
#
#   ZFSGUARD_DEB          the zfsguard .deb on the build host; default: the
#                         highest userpatches/overlay/zfsguard*.deb
#   ZFSGUARD_IMAGE_CHECK  "fail" (default) stops the build when the image
#                         would boot without ZFS; "warn" only says so
#   ZFSGUARD_MAX_TEMP     written to /etc/zfsguard/zfsguard.conf.d/50-image.conf
#   ZFSGUARD_RESUME_TEMP  as max_temp, resume_temp, jobs, build, preflight and
#   ZFSGUARD_JOBS         keep_kernels (see zfsguard.conf(5)); unset ones are
#   ZFSGUARD_BUILD        left out, so the package's defaults apply
#   ZFSGUARD_PREFLIGHT_MODE
#   ZFSGUARD_KEEP_KERNELS

function extension_prepare_config__zfsguard() {
	declare -g ZFSGUARD_IMAGE_CHECK="${ZFSGUARD_IMAGE_CHECK:-fail}"
	case "${ZFSGUARD_IMAGE_CHECK}" in
		fail | warn) ;;
		*) exit_with_error "zfsguard: ZFSGUARD_IMAGE_CHECK must be fail or warn, not" "${ZFSGUARD_IMAGE_CHECK}" ;;
	esac
	declare -g ZFSGUARD_DEB="${ZFSGUARD_DEB:-$(zfsguard_overlay_deb)}"
	if [[ -z "${ZFSGUARD_DEB}" ]]; then
		exit_with_error "zfsguard: no package; next: put zfsguard_<version>_all.deb into userpatches/overlay/ or set" "ZFSGUARD_DEB=/path/to/zfsguard.deb"
	fi
	if [[ ! -f "${ZFSGUARD_DEB}" || "${ZFSGUARD_DEB}" != *.deb ]]; then
		exit_with_error "zfsguard: ZFSGUARD_DEB is not a .deb file" "${ZFSGUARD_DEB}"
	fi
	# A setting zfsguard would reject on the board is refused now, not after an hour of building.
	zfsguard_conf_lines > /dev/null
	display_alert "zfsguard: image check ${ZFSGUARD_IMAGE_CHECK}" "${ZFSGUARD_DEB##*/}" "info"
}

# After the BSP: its initramfs hooks (uInitrd) are in place, and so are the
# kernel, headers and the packages of the "zfs" extension.
function post_family_tweaks__zfsguard() {
	display_alert "zfsguard: installing" "${ZFSGUARD_DEB##*/}" "info"
	# /root/*.deb is swept before this hook; a name of our own keeps that sweep and us apart.
	# The framework's runners join their arguments into one bash command line: quote with @Q.
	run_host_command_logged cp "${ZFSGUARD_DEB@Q}" "${SDCARD@Q}/root/zfsguard-image-build.deb"
	chroot_sdcard_apt_get_install "/root/zfsguard-image-build.deb"
	run_host_command_logged rm -f "${SDCARD@Q}/root/zfsguard-image-build.deb"
	zfsguard_write_conf
}

# The last hook on the image's root file system: every package, from
# extensions and customize-image.sh alike, is in.
function post_repo_customize_image__zfsguard() {
	if ! zfsguard_image_has_zfs; then
		display_alert "zfsguard: no ZFS in the image" "nothing to check" "info"
		return 0
	fi
	zfsguard_refresh_initramfs
	declare verdict rc=0
	verdict="$(zfsguard_in_image check 2>&1)" || rc=$?
	if [[ ${rc} -eq 0 ]]; then
		display_alert "${verdict}" "${BOARD} ${BRANCH}" "info"
		return 0
	fi
	# The table names the kernel, its module and the OpenZFS range: what to change in the build.
	declare line
	while IFS= read -r line; do
		[[ -n "${line}" ]] && display_alert "${line}" "" "wrn"
	done < <(zfsguard_in_image status 2>&1 || true)
	if [[ "${ZFSGUARD_IMAGE_CHECK}" == "warn" ]]; then
		display_alert "${verdict}" "ZFSGUARD_IMAGE_CHECK=warn: building the image anyway" "wrn"
		return 0
	fi
	display_alert "${verdict}" "" "err"
	exit_with_error "zfsguard: the image of ${BOARD} ${BRANCH} would boot without ZFS;" "next: build a kernel branch the installed OpenZFS supports, or set ZFSGUARD_IMAGE_CHECK=warn"
}

# The highest zfsguard*.deb in the user's overlay, or nothing.
function zfsguard_overlay_deb() {
	declare -a debs=()
	declare deb
	for deb in "${USERPATCHES_PATH}"/overlay/zfsguard*.deb; do
		[[ -f "${deb}" ]] && debs+=("${deb}")
	done
	[[ ${#debs[@]} -gt 0 ]] || return 0
	printf '%s\n' "${debs[@]}" | sort -V | tail -n 1
}

# zfsguard.conf lines from the ZFSGUARD_* variables that are set; fails on a
# value zfsguard would reject (the ranges of zfsguard.conf(5)).
function zfsguard_conf_lines() {
	zfsguard_conf_number max_temp "${ZFSGUARD_MAX_TEMP:-}" 40 110
	zfsguard_conf_number resume_temp "${ZFSGUARD_RESUME_TEMP:-}" 20 110
	zfsguard_conf_number jobs "${ZFSGUARD_JOBS:-}" 1 64
	zfsguard_conf_choice build "${ZFSGUARD_BUILD:-}" manual deferred
	zfsguard_conf_choice preflight "${ZFSGUARD_PREFLIGHT_MODE:-}" block warn off
	zfsguard_conf_number keep_kernels "${ZFSGUARD_KEEP_KERNELS:-}" 1 20
}

function zfsguard_conf_number() {
	declare key="${1}" value="${2}" min="${3}" max="${4}"
	[[ -n "${value}" ]] || return 0
	if [[ ! "${value}" =~ ^[0-9]{1,4}$ ]] || ((10#${value} < min || 10#${value} > max)); then
		exit_with_error "zfsguard: ${key} must be a number from ${min} to ${max}, not" "${value}"
	fi
	printf '%s = %d\n' "${key}" "$((10#${value}))"
}

function zfsguard_conf_choice() {
	declare key="${1}" value="${2}" choice
	shift 2
	[[ -n "${value}" ]] || return 0
	for choice in "$@"; do
		if [[ "${value}" == "${choice}" ]]; then
			printf '%s = %s\n' "${key}" "${value}"
			return 0
		fi
	done
	exit_with_error "zfsguard: ${key} must be one of: $*; not" "${value}"
}

# A drop-in rather than an edit of zfsguard.conf: the conffile stays the package's, upgrades never ask.
function zfsguard_write_conf() {
	declare lines dir="${SDCARD}/etc/zfsguard/zfsguard.conf.d"
	lines="$(zfsguard_conf_lines)"
	[[ -n "${lines}" ]] || return 0
	run_host_command_logged mkdir -p "${dir@Q}"
	printf '# Written by the Armbian image build (extension zfsguard) from ZFSGUARD_* variables.\n%s\n' "${lines}" > "${dir}/50-image.conf"
	display_alert "zfsguard: settings" "${lines//$'\n'/, }" "info"
}

# Answers from the files alone, so that images without ZFS never start a JVM.
function zfsguard_image_has_zfs() {
	declare f
	for f in "${SDCARD}"/usr/src/zfs-*/META "${SDCARD}"/var/lib/dpkg/info/zfs-dkms.list \
		"${SDCARD}"/var/lib/dpkg/info/zfsutils-linux.list "${SDCARD}"/lib/modules/*/updates/dkms/zfs.ko* \
		"${SDCARD}"/lib/modules/*/extra/zfs.ko* "${SDCARD}"/lib/modules/*/kernel/zfs/zfs.ko*; do
		[[ -e "${f}" ]] && return 0
	done
	return 1
}

# With zfs-initramfs, the initramfs must hold the module the last package step
# built; Armbian rebuilds it later on the image from the same files.
function zfsguard_refresh_initramfs() {
	[[ -f "${SDCARD}/usr/share/initramfs-tools/hooks/zfs" && -x "${SDCARD}/usr/sbin/update-initramfs" ]] || return 0
	display_alert "zfsguard: refreshing the initramfs" "ZFS loads from there" "info"
	chroot_sdcard TMPDIR=/tmp update-initramfs -u -k all
}

# zfsguard inside the image, in a clean environment: the host's JAVA_HOME,
# locale or JVM options mean nothing there. It never looks at uname -r.
function zfsguard_in_image() {
	chroot_sdcard_with_stdout /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 zfsguard "$@"
}
