package org.zfsguard.readiness;

/**
 * One module file as found on disk.
 *
 * @param path target path, or null when not found
 * @param vermagicRelease kernel release the module was built for, or null
 * @param version module version, or null
 * @param problem why it could not be read, or null
 */
public record ModuleFacts(String path, String vermagicRelease, String version, String srcversion,
        String architecture, String problem) {
}
