package org.zfsguard.dkms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zfsguard.system.SystemRoot;

class DkmsConfigBlockTest {
    static final String USER = "# my settings\nZFS_DKMS_ENABLE_DEBUG=y\n";

    @TempDir
    Path root;

    @Test
    void addingToNothingGivesTheBlockAlone() {
        assertThat(DkmsConfigBlock.add("")).isEqualTo(DkmsConfigBlock.BLOCK);
        assertThat(DkmsConfigBlock.BLOCK).startsWith(DkmsConfigBlock.BEGIN + "\n").endsWith(DkmsConfigBlock.END + "\n")
                .contains("MAKE[0]=\"${MAKE[0]} -j${zfsguard_jobs}\"").contains("TEST_JOBS=${zfsguard_jobs}");
    }

    @Test
    void anAbsoluteEtcSymlinkIsFollowedInsideTheRootNeverToTheHost(@TempDir Path other) throws IOException {
        Path sys = Files.createDirectories(root.resolve("sys"));
        Path hostEtc = Files.createDirectories(other.resolve("etc"));
        Files.createSymbolicLink(sys.resolve("etc"), hostEtc); // absolute: means SYS/<that path> on the target

        DkmsConfigBlock.install(SystemRoot.at(sys));

        assertThat(hostEtc.resolve("dkms/zfs.conf")).doesNotExist();
        assertThat(Files.readString(sys.resolve(hostEtc.toString().substring(1)).resolve("dkms/zfs.conf")))
                .isEqualTo(DkmsConfigBlock.BLOCK);
    }

    @Test
    void aSymlinkInPlaceOfTheFileIsLeftAloneNotWrittenThrough() throws IOException {
        Path outside = Files.writeString(root.resolve("outside.conf"), USER);
        Path sys = Files.createDirectories(root.resolve("sys"));
        Files.createDirectories(sys.resolve("etc/dkms"));
        Files.createSymbolicLink(sys.resolve("etc/dkms/zfs.conf"), outside);
        assertThatThrownBy(() -> DkmsConfigBlock.install(SystemRoot.at(sys))).hasMessageContaining("not a regular file");
        assertThat(Files.readString(outside)).isEqualTo(USER);
    }

    @Test
    void addingKeepsEveryOtherLineAndIsIdempotent() {
        String once = DkmsConfigBlock.add(USER);
        assertThat(once).isEqualTo(USER + DkmsConfigBlock.BLOCK);
        assertThat(DkmsConfigBlock.add(once)).isEqualTo(once);
        assertThat(DkmsConfigBlock.remove(once)).isEqualTo(USER);
    }

    @Test
    void aFileWithoutFinalNewlineGetsOneBeforeTheBlock() {
        String added = DkmsConfigBlock.add("ZFS_DKMS_DISABLE_STRIP=y");
        assertThat(added).isEqualTo("ZFS_DKMS_DISABLE_STRIP=y\n" + DkmsConfigBlock.BLOCK);
    }

    @Test
    void anOlderBlockInTheMiddleIsReplacedByTheCurrentOneAtTheEnd() {
        String old = "a=1\n# >>> zfsguard: old wording\nMAKE[0]=\"make -j1\"\n# <<< zfsguard\nb=2\n";
        assertThat(DkmsConfigBlock.remove(old)).isEqualTo("a=1\nb=2\n");
        assertThat(DkmsConfigBlock.add(old)).isEqualTo("a=1\nb=2\n" + DkmsConfigBlock.BLOCK);
    }

    @Test
    void aBeginMarkerWithoutEndIsNotTreatedAsABlock() {
        String broken = "a=1\n# >>> zfsguard: cut\nmine=1\n";
        assertThat(DkmsConfigBlock.remove(broken)).isEqualTo(broken);
        assertThat(DkmsConfigBlock.present(broken)).isFalse();
    }

    @Test
    void installCreatesTheFileAndRemoveDeletesItWhenNothingElseIsLeft() throws IOException {
        SystemRoot r = SystemRoot.at(root);
        Path f = root.resolve("etc/dkms/zfs.conf");
        assertThat(DkmsConfigBlock.install(r).changed()).isTrue();
        assertThat(Files.readString(f)).isEqualTo(DkmsConfigBlock.BLOCK);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-r--r--");
        assertThat(DkmsConfigBlock.install(r).changed()).isFalse();
        assertThat(DkmsConfigBlock.remove(r).changed()).isTrue();
        assertThat(f).doesNotExist();
        assertThat(f.getParent()).as("/etc/dkms without DKMS").doesNotExist();
        assertThat(DkmsConfigBlock.remove(r).changed()).isFalse();
    }

    @Test
    void removeLeavesTheAdministratorsLinesAndPermissions() throws IOException {
        SystemRoot r = SystemRoot.at(root);
        Path f = root.resolve("etc/dkms/zfs.conf");
        Files.createDirectories(f.getParent());
        Files.writeString(f, USER);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        DkmsConfigBlock.install(r);
        assertThat(Files.readString(f)).isEqualTo(USER + DkmsConfigBlock.BLOCK);
        Files.writeString(f.resolveSibling("framework.conf"), "");
        DkmsConfigBlock.remove(r);
        assertThat(Files.readString(f)).isEqualTo(USER);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
    }

    @Test
    void aSymlinkIsLeftAlone() throws IOException {
        Path f = root.resolve("etc/dkms/zfs.conf");
        Files.createDirectories(f.getParent());
        Files.createSymbolicLink(f, Path.of("/etc/passwd"));
        assertThatThrownBy(() -> DkmsConfigBlock.install(SystemRoot.at(root))).isInstanceOf(IOException.class)
                .hasMessageContaining("not a regular file");
        assertThat(Files.isSymbolicLink(f)).isTrue();
    }
}
