package org.zfsguard.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class ZstdDecoderTest {

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = ZstdDecoderTest.class.getResourceAsStream("/zstd/" + name)) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        }
    }

    /** reference.txt.zst was written by the zstd reference tool (zstd -19 --check). */
    @Test
    void decodesWhatTheReferenceEncoderWrote() throws IOException {
        byte[] expected = resource("reference.txt");
        try (InputStream in = ZstdDecoder.open(new ByteArrayInputStream(resource("reference.txt.zst")))) {
            assertThat(in.readAllBytes()).isEqualTo(expected);
        }
    }

    @Test
    void aDamagedFrameIsAnErrorOfTheInputNotOfTheDecoder() throws IOException {
        byte[] frame = resource("reference.txt.zst");
        frame[frame.length / 2] ^= 0x5a;
        frame[frame.length - 1] ^= 0x5a;
        assertThatThrownBy(() -> {
            try (InputStream in = ZstdDecoder.open(new ByteArrayInputStream(frame))) {
                in.readAllBytes();
            }
        }).isNotInstanceOf(DecoderUnavailableException.class);
    }

    @Test
    void theProbeAcceptsThisJvmAndCatchesAWrongDecoding() {
        assertThat(ZstdDecoder.probe(new byte[] {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd, 0x04, 0x58, 0x09, 0x00, 0x00, 0x78,
                0x23, 0x11, 0x04, (byte) 0x83}, new byte[] {'x'})).isNull();
        assertThat(ZstdDecoder.probe(new byte[] {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd, 0x04, 0x58, 0x09, 0x00, 0x00, 0x78,
                0x23, 0x11, 0x04, (byte) 0x83}, new byte[] {'y'})).isInstanceOf(IllegalStateException.class);
        assertThat(ZstdDecoder.probe("not zstd".getBytes(StandardCharsets.US_ASCII), new byte[0])).isNotNull();
    }

    @Test
    void anUnavailableDecoderIsReportedAsAFaultOfZfsguard() {
        DecoderUnavailableException e = new DecoderUnavailableException("zstd",
                new NoClassDefFoundError("io/airlift/compress/zstd/ZstdInputStream"));
        assertThat(e).hasMessageContaining("zfsguard's own zstd decoder cannot run")
                .hasMessageContaining("not of the file being read").isInstanceOf(RuntimeException.class);
    }
}
