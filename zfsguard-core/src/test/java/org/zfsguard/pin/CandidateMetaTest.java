package org.zfsguard.pin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zfsguard.deb.DebFixtures;
import org.zfsguard.rebuild.CommandRunner;
import org.zfsguard.state.StateDir;
import org.zfsguard.system.SystemRoot;
import org.zfsguard.zfs.OpenZfsMeta;

/** The Linux range of a zfs-dkms that is in apt's lists, read from the package (real .deb files, dpkg-deb). */
class CandidateMetaTest {
    @TempDir
    Path tmp;

    private Path zfsDkms(String debianVersion, String zfsVersion, String max) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("built-" + debianVersion.replace(':', '_')));
        return DebFixtures.zfsDkms().field("Version", debianVersion)
                .file("usr/src/zfs-2.4.0/META", DebFixtures.META_2_4_0.replace("2.4.0", zfsVersion)
                        .replace("Linux-Maximum: 6.18", "Linux-Maximum: " + max))
                .build(dir, "xz");
    }

    private SystemRoot root() throws IOException {
        return SystemRoot.at(Files.createDirectories(tmp.resolve("root")));
    }

    private static StateDir state(SystemRoot root) throws IOException {
        return StateDir.of(root);
    }

    @Test
    void readsTheDebInAptsArchiveCacheOnceAndRemembersItAfterAptClean() throws Exception {
        SystemRoot root = root();
        Path archives = Files.createDirectories(root.resolve(CandidateMeta.ARCHIVES));
        Path deb = Files.copy(zfsDkms("2.4.1-1", "2.4.1", "6.19"), archives.resolve("zfs-dkms_2.4.1-1_all.deb"));
        List<String> problems = new ArrayList<>();

        Optional<OpenZfsMeta> m = CandidateMeta.known(root, state(root), "2.4.1-1", problems);
        assertThat(m).hasValueSatisfying(meta -> {
            assertThat(meta.version()).isEqualTo("2.4.1");
            assertThat(meta.linuxMaximum().toString()).isEqualTo("6.19");
        });
        Files.delete(deb);
        assertThat(CandidateMeta.known(root, state(root), "2.4.1-1", problems).map(OpenZfsMeta::linuxMaximum)
                .map(Object::toString)).contains("6.19");
        assertThat(problems).isEmpty();
        assertThat(CandidateMeta.known(root, state(root), "2.4.2-1", problems)).isEmpty();
    }

    @Test
    void anEpochIsWrittenAsAptNamesTheFile() throws Exception {
        SystemRoot root = root();
        Path archives = Files.createDirectories(root.resolve(CandidateMeta.ARCHIVES));
        Files.copy(zfsDkms("1:2.3.2-2~bpo12+2", "2.3.2", "6.14"), archives.resolve("zfs-dkms_1%3a2.3.2-2~bpo12+2_all.deb"));
        assertThat(CandidateMeta.known(root, state(root), "1:2.3.2-2~bpo12+2", new ArrayList<>())
                .map(OpenZfsMeta::version)).contains("2.3.2");
        assertThat(state(root).path().resolve("openzfs-meta/1%3a2.3.2-2~bpo12+2")).isRegularFile();
    }

    @Test
    void aDamagedPackageOrRememberedRangeIsAProblemNotACrash() throws Exception {
        SystemRoot root = root();
        Path archives = Files.createDirectories(root.resolve(CandidateMeta.ARCHIVES));
        Files.writeString(archives.resolve("zfs-dkms_2.4.1-1_all.deb"), "!<arch>\ntruncated");
        List<String> problems = new ArrayList<>();
        assertThat(CandidateMeta.known(root, state(root), "2.4.1-1", problems)).isEmpty();
        assertThat(problems).singleElement().asString().contains("zfs-dkms_2.4.1-1_all.deb");

        Path remembered = Files.createDirectories(state(root).path().resolve("openzfs-meta")).resolve("2.4.1-1");
        Files.writeString(remembered, "Version: x\n");
        problems.clear();
        assertThat(CandidateMeta.known(root, state(root), "2.4.1-1", problems)).isEmpty();
        assertThat(problems).anySatisfy(p -> assertThat(p).contains("openzfs-meta/2.4.1-1"));
    }

    @Test
    void aVersionThatIsNoDebianVersionIsNeitherLookedUpNorDownloaded() throws Exception {
        SystemRoot root = root();
        List<List<String>> ran = new ArrayList<>();
        Function<Path, CommandRunner> fake = dir -> (argv, lines) -> {
            ran.add(argv);
            return 0;
        };
        assertThat(CandidateMeta.known(root, state(root), "../../etc/passwd", new ArrayList<>())).isEmpty();
        assertThat(CandidateMeta.download(root, state(root), "2.4.1 -o Dir=/", fake, new ArrayList<>())).isEmpty();
        assertThat(ran).isEmpty();
    }

    /** A FAKE apt-get: it checks the arguments and puts a real package where apt-get download would. */
    @Test
    void downloadsWithAptGetDownloadInsideTheRootAndLeavesNoPackageBehind() throws Exception {
        SystemRoot root = root();
        Path built = zfsDkms("2.4.1-1", "2.4.1", "6.19");
        List<String> seen = new ArrayList<>();
        Function<Path, CommandRunner> fakeApt = dir -> (argv, lines) -> {
            seen.addAll(argv);
            seen.add("cwd=" + dir);
            Files.copy(built, dir.resolve("zfs-dkms_2.4.1-1_all.deb"), StandardCopyOption.REPLACE_EXISTING);
            return 0;
        };
        List<String> problems = new ArrayList<>();
        assertThat(CandidateMeta.download(root, state(root), "2.4.1-1", fakeApt, problems)
                .map(m -> m.linuxMaximum().toString())).contains("6.19");
        assertThat(problems).isEmpty();
        assertThat(seen).startsWith("apt-get", "download").contains("zfs-dkms=2.4.1-1", "Dir=" + root.path() + "/",
                "cwd=" + state(root).path().resolve("candidates"));
        try (var left = Files.list(state(root).path().resolve("candidates"))) {
            assertThat(left).isEmpty();
        }
        assertThat(CandidateMeta.known(root, state(root), "2.4.1-1", problems)).isPresent();
    }

    @Test
    void aFailedDownloadSaysWhyAndRemembersNothing() throws Exception {
        SystemRoot root = root();
        Function<Path, CommandRunner> fakeApt = dir -> (argv, lines) -> {
            lines.accept("E: Can't find a source to download version '2.4.1-1' of 'zfs-dkms:amd64'");
            return 100;
        };
        List<String> problems = new ArrayList<>();
        assertThat(CandidateMeta.download(root, state(root), "2.4.1-1", fakeApt, problems)).isEmpty();
        assertThat(problems).singleElement().asString().contains("exit 100").contains("Can't find a source");
        assertThat(state(root).path().resolve("openzfs-meta")).doesNotExist();
    }
}
