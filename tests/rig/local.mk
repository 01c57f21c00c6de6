# The nested-KVM rig (tests/rig/README.md): tests/rig/rig-run runs a command
# with a real /dev/kvm inside QEMU TCG; tests/lib.sh's need_kvm re-runs a
# KVM test there where the host has no usable /dev/kvm. Its kernel and
# initramfs are built into out/rig of the build tree on first use.
EXTRA_DIST += tests/rig/README.md tests/rig/rig-run tests/rig/build-rig.sh tests/rig/init \
	tests/rig/kvm-hold.c
dist_check_SCRIPTS += tests/rig/rig.sh
TESTS += tests/rig/rig.sh
CLEANFILES += out/rig/vmlinuz out/rig/rig.img out/rig/build.log out/rig/.lock
