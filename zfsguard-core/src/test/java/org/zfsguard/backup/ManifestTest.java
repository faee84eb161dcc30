package org.zfsguard.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ManifestTest {
    static final String K = "6.1.0-56-amd64";
    static final String SHA = "a".repeat(64);
    static final Instant T = Instant.parse("2026-11-24T04:00:00Z");

    static Manifest sample() {
        return new Manifest(K, T, List.of(
                ManifestEntry.dir("/lib/modules/" + K, 0755, 0, 0),
                ManifestEntry.file("/lib/modules/" + K + "/a\tb%c\nd.ko", 04755, 0, -2, 12, SHA),
                ManifestEntry.symlink("/lib/modules/" + K + "/build", 0, 0, "/usr/src/linux-headers-" + K),
                ManifestEntry.file("/boot/vmlinuz-" + K, 0644, 0, 0, 0, SHA),
                ManifestEntry.symlink("/var/lib/dkms/zfs/kernel-" + K + "-x86_64", 0, 0, "2.1.11/" + K + "/x86_64")));
    }

    @Test
    void roundTripsIncludingEscapesAndLargeIds() throws Exception {
        Manifest m = sample();
        byte[] bytes = m.toBytes();
        String text = new String(bytes, StandardCharsets.UTF_8);
        assertThat(text).contains("f\t4755\t0\t4294967294\t12\t" + SHA + "\t/lib/modules/" + K + "/a%09b%25c%0Ad.ko\n");
        assertThat(text).startsWith("#zfsguard-boot-set\t1\n#kernel\t" + K + "\n#created\t2026-11-24T04:00:00Z\n");
        assertThat(text).containsPattern("\n#end\t5\t[0-9a-f]{64}\n$");
        assertThat(Manifest.parse(bytes)).isEqualTo(m);
    }

    @Test
    void theContentDigestIgnoresTheTimeButNotTheFiles() {
        Manifest m = sample();
        Manifest later = new Manifest(K, T.plusSeconds(3600), m.entries());
        Manifest other = new Manifest(K, T, m.entries().subList(0, 3));
        assertThat(later.contentDigest()).isEqualTo(m.contentDigest());
        assertThat(other.contentDigest()).isNotEqualTo(m.contentDigest());
    }

    @Test
    void aManifestWithoutItsTrailerOrWithAnyByteChangedIsRejected() {
        byte[] bytes = sample().toBytes();
        String text = new String(bytes, StandardCharsets.UTF_8);
        String body = text.substring(0, text.lastIndexOf("#end"));
        assertThatThrownBy(() -> Manifest.parse(body.getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("incomplete");
        assertThatThrownBy(() -> Manifest.parse(text.substring(0, text.length() - 1).getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("incomplete");
        byte[] flipped = bytes.clone();
        flipped[60] ^= 1;
        assertThatThrownBy(() -> Manifest.parse(flipped)).hasMessageContaining("damaged");
        assertThatThrownBy(() -> Manifest.parse(new byte[0])).isInstanceOf(ManifestException.class);
    }

    /** A manifest with a valid trailer around the given entry lines. */
    static byte[] sealed(String... entryLines) {
        StringBuilder b = new StringBuilder("#zfsguard-boot-set\t1\n#kernel\t" + K + "\n#created\t2026-11-24T04:00:00Z\n");
        for (String l : entryLines) {
            b.append(l).append('\n');
        }
        byte[] body = b.toString().getBytes(StandardCharsets.UTF_8);
        String trailer = "#end\t" + entryLines.length + "\t" + Hashing.sha256Hex(body) + "\n";
        return (b + trailer).getBytes(StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "f\t0644\t0\t0\t1\tSHA\t/boot/../etc/shadow",
        "f\t0644\t0\t0\t1\tSHA\t/boot/vmlinuz-K/../../etc/shadow",
        "f\t0644\t0\t0\t1\tSHA\t/etc/shadow",
        "f\t0644\t0\t0\t1\tSHA\tboot/vmlinuz-K",
        "f\t0644\t0\t0\t1\tSHA\t/boot//vmlinuz-K",
        "f\t0644\t0\t0\t1\tSHA\t/boot/./vmlinuz-K",
        "f\t0644\t0\t0\t1\tSHA\t/boot/vmlinuz-K/",
        "f\t0644\t0\t0\t1\tSHA\t/boot/vmlinuz-6.1.0-56-amd64x",
        "f\t0644\t0\t0\t1\tSHA\t/boot/vmlinuz-K%2",
        "f\t0644\t0\t0\t1\tSHA\t/boot/vmlinuz-K%00",
        "f\t0644\t0\t0\t1\tSHA\t/var/lib/dkms/zfs/../K/x",
        "f\t0644\t0\t0\t1\tSHA\t/var/lib/dkms/../../etc/K",
        "f\t0644\t0\t0\t1\t-\t/boot/vmlinuz-K",
        "f\t0644\t0\t0\t1\tSHA\t/boot/vmlinuz-K\tlink",
        "f\t9644\t0\t0\t1\tSHA\t/boot/vmlinuz-K",
        "f\t0644\t-1\t0\t1\tSHA\t/boot/vmlinuz-K",
        "f\t0644\t4294967296\t0\t1\tSHA\t/boot/vmlinuz-K",
        "f\t0644\t0\t0\t01\tSHA\t/boot/vmlinuz-K",
        "d\t0755\t0\t0\t0\tSHA\t/boot/dtb-K",
        "l\t0777\t0\t0\t0\t-\t/boot/vmlinuz-K",
        "l\t0777\t0\t0\t0\t-\t/boot/vmlinuz-K\t",
        "x\t0644\t0\t0\t1\tSHA\t/boot/vmlinuz-K",
        "f\t0644\t0\t0\t1\tSHA"
    })
    void hostileOrMalformedLinesMakeTheWholeManifestInvalid(String line) {
        String l = line.replace("SHA", SHA).replace("K", K);
        assertThatThrownBy(() -> Manifest.parse(sealed(l))).isInstanceOf(ManifestException.class);
    }

    @Test
    void aChildBeforeItsDirectoryOrADuplicateIsRejected() {
        String mod = "/lib/modules/" + K;
        assertThatThrownBy(() -> Manifest.parse(sealed("f\t0644\t0\t0\t1\t" + SHA + "\t" + mod + "/x.ko")))
                .hasMessageContaining("before or outside its directory");
        assertThatThrownBy(() -> Manifest.parse(sealed("d\t0755\t0\t0\t0\t-\t" + mod, "d\t0755\t0\t0\t0\t-\t" + mod)))
                .hasMessageContaining("listed twice");
    }

    @Test
    void aTrailerCountingADifferentNumberOfEntriesIsRejected() {
        String text = new String(sealed("d\t0755\t0\t0\t0\t-\t/boot/dtb-" + K), StandardCharsets.UTF_8);
        String body = text.substring(0, text.lastIndexOf("#end"));
        String wrong = body + "#end\t2\t" + Hashing.sha256Hex(body.getBytes(StandardCharsets.UTF_8)) + "\n";
        assertThatThrownBy(() -> Manifest.parse(wrong.getBytes(StandardCharsets.UTF_8))).hasMessageContaining("counts 2");
    }

    @Test
    void anAbsoluteLinkTargetOutsideTheSetIsFineAsALink() throws Exception {
        Manifest m = Manifest.parse(sealed("l\t0777\t0\t0\t0\t-\t/boot/vmlinuz-" + K + "\t/../../../etc/passwd"));
        assertThat(m.entries().get(0).linkTarget()).isEqualTo("/../../../etc/passwd");
    }
}
