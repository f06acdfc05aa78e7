#!/bin/bash
# dracut module of provbox (installed as
# /usr/lib/dracut/modules.d/90provbox/module-setup.sh by `make install`):
# puts /usr/bin/provbox into the initramfs with the shared libraries it needs
# (inst_binary follows them: libc and tpm2-tss), and one link per applet.
#
# To leave provbox out: omit_dracutmodules+=" provbox " in
# /etc/dracut.conf.d/provbox.conf (or dracut --omit provbox).

# Where make install put the binary; PROVBOX_BIN overrides it (a staging tree).
provbox_bin() {
    echo "${PROVBOX_BIN:-@BINDIR@/provbox}"
}

check() {
    [[ -x $(provbox_bin) ]] || return 1
    return 0
}

depends() {
    return 0
}

install() {
    local bin a applets
    bin=$(provbox_bin)
    applets=$("$bin" --list) || {
        derror "provbox: $bin --list failed"
        return 1
    }
    inst_binary "$bin" /usr/bin/provbox || return 1
    for a in $applets; do
        ln_r /usr/bin/provbox "/usr/bin/$a"
    done
}
