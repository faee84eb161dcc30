#!/usr/bin/env bash
#
# STAND-IN for the parts of Armbian's build framework (github.com/armbian/build)
# that an image extension meets, for the tests of armbian/extensions/zfsguard.sh
# and armbian/userpatches/customize-image.sh. It is not Armbian: no debootstrap,
# no partitions, no loop device; the rootfs is a prepared chroot and the
# "image" is a marker file written only when every stage before it passed.
#
# What it keeps from the framework: extensions are sourced files whose hook
# functions are found by the "__" marker and called per hook point in the
# framework's order (sorted by the name after "__", "500_" put in front of
# names without a number), the hook points of an image build in their order,
# the variables hooks see, customize-image.sh run in the chroot with
# RELEASE LINUXFAMILY BOARD BUILD_DESKTOP ARCH and userpatches/overlay
# bind-mounted read-only at /tmp/overlay, and exit_with_error ending the build
# with status 43.
#
# Environment: SDCARD (the chroot), USERPATCHES_PATH, EXTENSIONS_PATH (colon
# separated directories searched for <name>.sh after userpatches/extensions),
# ENABLE_EXTENSIONS, BOARD BRANCH LINUXFAMILY ARCH RELEASE BUILD_DESKTOP,
# INSTALL_HEADERS, KERNEL_IMAGE_DEB KERNEL_DTB_DEB KERNEL_HEADERS_DEB (host
# paths), IMAGE_OUTPUT (the marker file to write).

set -e -o pipefail

# ---- stand-ins for the framework's helpers (same names and arguments) ----------

display_alert() {
	# As the framework's: debug and extension-manager lines only when asked for.
	case "${3:-}" in
		debug) [[ "${SHOW_DEBUG:-}" == yes ]] || return 0 ;;
		extensions) [[ "${SHOW_EXTENSIONS:-}" == yes ]] || return 0 ;;
	esac
	printf '[%s] %s%s\n' "${3:-info}" "${1}" "${2:+ [ ${2} ]}" >&2
}

exit_with_error() {
	display_alert "error!" "${1} ${2}" "err"
	exit 43
}

# As the framework's: the arguments are joined into one bash command line.
run_host_command_logged() {
	/usr/bin/env bash -e -o pipefail -c "$*"
}

chroot_sdcard() {
	TMPDIR="" LC_ALL="C" LANG="C" LANGUAGE="" chroot "${SDCARD}" /usr/bin/env bash -e -o pipefail -c "$*"
}

chroot_sdcard_with_stdout() {
	TMPDIR="" chroot "${SDCARD}" "$@"
}

chroot_sdcard_apt_get_install() {
	chroot_sdcard DEBIAN_FRONTEND=noninteractive apt-get -y -qq -o Dpkg::Use-Pty=0 \
		-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold --no-install-recommends install "$@"
}

# ---- the extension manager -------------------------------------------------------

declare -A standin_hook_functions=()

enable_extension() {
	declare name="${1}" dir file=""
	declare -a dirs=("${USERPATCHES_PATH}/extensions")
	IFS=: read -r -a more <<< "${EXTENSIONS_PATH:-}"
	dirs+=("${more[@]}")
	for dir in "${dirs[@]}"; do
		if [[ -f "${dir}/${name}.sh" ]]; then
			file="${dir}/${name}.sh"
			break
		fi
	done
	[[ -n "${file}" ]] || exit_with_error "Extension not found" "${name}"
	display_alert "Extension enabled" "${name} (${file})" "info"
	# shellcheck source=/dev/null
	source "${file}"
}

initialize_extension_manager() {
	declare auto fn point name sort_id
	for auto in ${ENABLE_EXTENSIONS//,/ }; do
		enable_extension "${auto}"
	done
	declare -a entries=()
	while IFS= read -r fn; do
		point="${fn%%__*}"
		name="${fn#*__}"
		sort_id="${name}"
		[[ "${sort_id}" =~ ^[0-9] ]] || sort_id="500_${name}"
		entries+=("${point} ${sort_id} ${fn}")
	done < <(compgen -A function | grep -e '__' || true)
	[[ ${#entries[@]} -gt 0 ]] || return 0
	while read -r point sort_id fn; do
		standin_hook_functions["${point}"]+=" ${fn}"
	done < <(printf '%s\n' "${entries[@]}" | LC_ALL=C sort -k1,1 -k2,2 --general-numeric-sort --ignore-case)
}

call_extension_method() {
	declare point fn
	for point in "$@"; do
		for fn in ${standin_hook_functions["${point}"]:-}; do
			display_alert "Extension Method being called: ${point}" "${fn}" "extensions"
			EXTENSION="${fn#*__}" "${fn}"
		done
	done
}

# ---- the stages of an image build, in order ---------------------------------------

install_artifact_deb_standin() {
	declare deb="${1}"
	cp "${deb}" "${SDCARD}/root/"
	chroot_sdcard_apt_get_install "/root/${deb##*/}"
}

install_distribution_agnostic_standin() {
	call_extension_method "pre_install_kernel_debs"
	install_artifact_deb_standin "${KERNEL_IMAGE_DEB}"
	install_artifact_deb_standin "${KERNEL_DTB_DEB}"
	if [[ "${INSTALL_HEADERS}" == yes ]]; then
		install_artifact_deb_standin "${KERNEL_HEADERS_DEB}"
	fi
	call_extension_method "post_install_kernel_debs"
	# STAND-IN for armbian-bsp-cli: the release file by which tools know an Armbian system.
	printf 'BOARD=%s\nBRANCH=%s\nLINUXFAMILY=%s\nARCH=%s\nVERSION=25.11.2\n' \
		"${BOARD}" "${BRANCH}" "${LINUXFAMILY}" "${ARCH}" > "${SDCARD}/etc/armbian-release"
	rm -f "${SDCARD}"/root/*.deb
	call_extension_method "post_family_tweaks"
}

customize_image_standin() {
	call_extension_method "pre_customize_image" "image_tweaks_pre_customize"
	if [[ -f "${USERPATCHES_PATH}/customize-image.sh" ]]; then
		cp "${USERPATCHES_PATH}/customize-image.sh" "${SDCARD}/tmp/customize-image.sh"
		chmod +x "${SDCARD}/tmp/customize-image.sh"
	fi
	mkdir -p "${SDCARD}/tmp/overlay"
	[[ -d "${USERPATCHES_PATH}/overlay" ]] && mount -o bind,ro "${USERPATCHES_PATH}/overlay" "${SDCARD}/tmp/overlay"
	declare rc=0
	if [[ -f "${SDCARD}/tmp/customize-image.sh" ]]; then
		display_alert "Calling image customization script" "customize-image.sh" "info"
		chroot_sdcard /tmp/customize-image.sh "${RELEASE}" "${LINUXFAMILY}" "${BOARD}" "${BUILD_DESKTOP}" "${ARCH}" || rc=$?
	fi
	mountpoint -q "${SDCARD}/tmp/overlay" && umount "${SDCARD}/tmp/overlay"
	mountpoint -q "${SDCARD}/tmp/overlay" || rm -r "${SDCARD}/tmp/overlay"
	if [[ ${rc} -ne 0 ]]; then
		exit_with_error "customize-image.sh exited with error (rc: ${rc})"
	fi
	call_extension_method "post_customize_image" "image_tweaks_post_customize"
	call_extension_method "post_repo_customize_image"
}

create_image_standin() {
	call_extension_method "pre_update_initramfs" "config_pre_update_initramfs"
	call_extension_method "pre_umount_final_image" "config_pre_umount_final_image"
	printf 'stand-in image of %s for %s %s\n' "${SDCARD}" "${BOARD}" "${BRANCH}" > "${IMAGE_OUTPUT}"
	call_extension_method "post_build_image"
	display_alert "Done building" "${IMAGE_OUTPUT}" "info"
}

standin_cleanup() {
	if mountpoint -q "${SDCARD}/tmp/overlay" 2> /dev/null; then
		umount "${SDCARD}/tmp/overlay" || umount -l "${SDCARD}/tmp/overlay"
	fi
}
trap standin_cleanup EXIT

: "${SDCARD:?}" "${USERPATCHES_PATH:?}" "${IMAGE_OUTPUT:?}" "${BOARD:?}" "${BRANCH:?}" "${LINUXFAMILY:?}" "${ARCH:?}" "${RELEASE:?}"
: "${KERNEL_IMAGE_DEB:?}" "${KERNEL_DTB_DEB:?}"
BUILD_DESKTOP="${BUILD_DESKTOP:-no}"
INSTALL_HEADERS="${INSTALL_HEADERS:-no}"

initialize_extension_manager
call_extension_method "extension_prepare_config"
call_extension_method "extension_finish_config"
install_distribution_agnostic_standin
customize_image_standin
create_image_standin
