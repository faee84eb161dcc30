package org.zfsguard.zfs;

import java.util.Map;

/**
 * What a kernel module says about itself in its {@code .modinfo} section.
 *
 * @param values first value of each key ({@code vermagic}, {@code version}, {@code srcversion}, ...)
 * @param elfMachine the ELF {@code e_machine} (62 x86_64, 183 aarch64, 3 i386, 40 arm)
 */
public record ModuleInfo(Map<String, String> values, int elfMachine) {

    public ModuleInfo {
        values = Map.copyOf(values);
    }

    public String vermagic() {
        return values.get("vermagic");
    }

    /** The kernel release the module was built for: the first word of vermagic, or null. */
    public String vermagicRelease() {
        String v = vermagic();
        if (v == null) {
            return null;
        }
        String t = v.strip();
        int sp = t.indexOf(' ');
        return sp < 0 ? t : t.substring(0, sp);
    }

    public String version() {
        return values.get("version");
    }

    public String srcversion() {
        return values.get("srcversion");
    }

    public String name() {
        return values.get("name");
    }

    public String architecture() {
        return switch (elfMachine) {
            case 62 -> "x86_64";
            case 183 -> "aarch64";
            case 3 -> "i386";
            case 40 -> "arm";
            default -> "machine " + elfMachine;
        };
    }
}
