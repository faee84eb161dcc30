package org.zfsguard.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class KernelReleaseTest {

    @ParameterizedTest
    @CsvSource({
        "6.12.58-current-rockchip64, 6, 12, -current-rockchip64",
        "6.1.0-56-amd64, 6, 1, -56-amd64",
        "6.8.0-45-generic, 6, 8, -45-generic",
        "6.1.20-media, 6, 1, -media",
        "6.1.115-vendor-rk35xx, 6, 1, -vendor-rk35xx",
        "5.10.0, 5, 10, ''",
        "6.6.0-rc3+, 6, 6, -rc3+",
        "4.19.0-0.bpo.1-arm64, 4, 19, -0.bpo.1-arm64",
        "6.18.0_custom~1, 6, 18, _custom~1",
    })
    void parsesRealReleases(String text, int major, int minor, String suffix) {
        KernelRelease k = KernelRelease.parse(text);
        assertThat(k.text()).isEqualTo(text);
        assertThat(k.major()).isEqualTo(major);
        assertThat(k.minor()).isEqualTo(minor);
        assertThat(k.localSuffix()).isEqualTo(suffix);
        assertThat(KernelRelease.isValid(text)).isTrue();
    }

    @Test
    void numbersAreTheDottedPrefix() {
        assertThat(KernelRelease.parse("6.12.58-current-rockchip64").numbers()).containsExactly(6, 12, 58);
        assertThat(KernelRelease.parse("6.1.0-56-amd64").numbers()).containsExactly(6, 1, 0);
        assertThat(KernelRelease.parse("6.1").numbers()).containsExactly(6, 1);
        assertThat(KernelRelease.parse("6.99999999999.1").numbers()).containsExactly(6, Integer.MAX_VALUE, 1);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "..", "../../etc", "6.1.0/../../etc", "6.1..0-amd64", "6.1.0-amd64/", "/6.1.0",
        "6.1.0 amd64", "6.1.0\tamd64", "6.1.0-amd64\n", "6.1.0\u0000", "6.1.0\u007f", "6.1.0\u001b[31m",
        "", "amd64", "-6.1.0", "6", "6.", "6-1", "6.x", "6.1.0-ämd64", "6.1.0-amd64$", "6.1.0;rm", "6.1.0.",
        ".6.1", "6.1.0-*", "6.1.0-amd64'", "6.1.0\\x",
    })
    void rejectsAnythingThatIsNotARelease(String bad) {
        assertThat(KernelRelease.isValid(bad)).as(bad).isFalse();
        assertThatThrownBy(() -> KernelRelease.parse(bad))
                .isInstanceOf(KernelRelease.InvalidKernelReleaseException.class)
                .hasMessageStartingWith("not a kernel release")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n", "\u0000", "\u001b"));
    }

    @Test
    void rejectsNullAndOverLongStrings() {
        assertThat(KernelRelease.problem(null)).isEqualTo("empty");
        String longest = "6.1." + "1".repeat(KernelRelease.MAX_LENGTH - 4);
        assertThat(KernelRelease.isValid(longest)).isTrue();
        assertThat(KernelRelease.problem(longest + "1")).contains("longer than 64");
    }

    @Test
    void reasonsNameTheProblem() {
        assertThat(KernelRelease.problem("6.1.0/x")).isEqualTo("contains '/'");
        assertThat(KernelRelease.problem("6.1..0")).isEqualTo("contains '..'");
        assertThat(KernelRelease.problem("6.1.0\nx")).contains("control");
        assertThat(KernelRelease.problem("x6.1")).contains("version number");
        assertThatThrownBy(() -> KernelRelease.parse("6.1\n"))
                .isInstanceOfSatisfying(KernelRelease.InvalidKernelReleaseException.class,
                        e -> assertThat(e.reason()).contains("control"));
    }

    @ParameterizedTest(name = "{0} < {1}")
    @CsvSource({
        // numbers compare numerically, not as text
        "6.1.0-9-amd64, 6.1.0-56-amd64",
        "6.12.9-current-rockchip64, 6.12.58-current-rockchip64",
        "6.8.0-45-generic, 6.8.0-100-generic",
        "6.9.0, 6.10.0",
        "5.15.0-1-generic, 6.1.0-1-generic",
        // pre-releases sort before the release, even before end of string
        "5.10.0-rc1, 5.10.0",
        "5.10.0-rc1, 5.10.0-rc2",
        "6.2.0-trunk, 6.2.0",
        // '-trunk-arm64' is one word to linux-base, not a pre-release marker
        "6.2.0-1-arm64, 6.2.0-trunk-arm64",
        "6.2.0-rc7, 6.2.0-1-amd64",
        // shorter sorts first
        "6.1, 6.1.0",
        "6.1.0, 6.1.0-amd64",
        // '.' sorts after '-': 2.6.32.1 is later than 2.6.32-5
        "2.6.32-5-amd64, 2.6.32.1",
        // suffixes compare as ASCII
        "6.1.0-56-amd64, 6.1.0-56-rt-amd64",
        "6.12.58-current-rockchip64, 6.12.58-edge-rockchip64",
        "6.1.0-56-arm64, 6.1.0-56-cloud-arm64",
        // leading zeros do not matter to numbers
        "6.1.08, 6.1.9",
    })
    void ordersLikeLinuxVersionCompare(String lower, String higher) {
        KernelRelease a = KernelRelease.parse(lower);
        KernelRelease b = KernelRelease.parse(higher);
        assertThat(a.compareTo(b)).isNegative();
        assertThat(b.compareTo(a)).isPositive();
        assertThat(a.compareTo(a)).isZero();
    }

    @Test
    void equalNumbersWithLeadingZerosCompareEqual() {
        assertThat(KernelRelease.compare("6.1.08", "6.1.8")).isZero();
        assertThat(KernelRelease.parse("6.1.08")).isNotEqualTo(KernelRelease.parse("6.1.8"));
    }

    @Test
    void hugeNumbersDoNotOverflow() {
        assertThat(KernelRelease.compare("6.1.99999999999999999999", "6.1.100000000000000000000")).isNegative();
    }

    @Test
    void splitFollowsLinuxBase() {
        assertThat(KernelRelease.split("6.12.58-current-rockchip64"))
                .containsExactly("6", ".", "12", ".", "58", "-current-rockchip", "64");
        assertThat(KernelRelease.split("5.10.0-rc1")).containsExactly("5", ".", "10", ".", "0", "-rc", "1");
        assertThat(KernelRelease.split("6.1.0-0.bpo.1")).containsExactly("6", ".", "1", ".", "0", "-", "0", ".bpo.", "1");
    }

    @Test
    void sortingIsATotalOrderConsistentWithRandomShuffles() {
        List<String> expected = List.of("5.10.0-rc1", "5.10.0", "5.10.0-30-arm64", "6.1.0-rc7", "6.1.0-9-amd64",
                "6.1.0-56-amd64", "6.1.20-media", "6.6.63-current-rockchip64", "6.8.0-45-generic",
                "6.12.57-current-rockchip64", "6.12.58-current-rockchip64", "6.12.58-edge-rockchip64");
        List<KernelRelease> shuffled = new ArrayList<>(expected.stream().map(KernelRelease::parse).toList());
        Random random = new Random(42);
        for (int round = 0; round < 20; round++) {
            Collections.shuffle(shuffled, random);
            Collections.sort(shuffled);
            assertThat(shuffled).extracting(KernelRelease::text).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void equalityIsByText() {
        assertThat(KernelRelease.parse("6.1.0-56-amd64")).isEqualTo(KernelRelease.parse("6.1.0-56-amd64"))
                .hasSameHashCodeAs(KernelRelease.parse("6.1.0-56-amd64"));
        assertThat(KernelRelease.parse("6.1.0-56-amd64").toString()).isEqualTo("6.1.0-56-amd64");
    }

    @ParameterizedTest
    @ValueSource(strings = {"-6.1", "6.1 foo", "6.1;rm", "../../etc", "6.1..0", "6.1/x", "6.1\n", "$(id)", "vendor-kernel",
        "6-foo"})
    void rejectsWhatTheRebuildAndTheDebReaderRefused(String bad) {
        assertThat(KernelRelease.isValid(bad)).as(bad).isFalse();
    }

    @Test
    void ordersTheWayTheNextBootPredictionNeeds() {
        // the cases the preflight's own natural sort was tested with: one ordering now
        assertThat(KernelRelease.compare("6.1.0-56-arm64", "6.1.0-9-arm64")).isPositive();
        assertThat(KernelRelease.compare("6.12.58-current-rockchip64", "6.12.57-current-rockchip64")).isPositive();
        assertThat(KernelRelease.compare("6.10.1", "6.9.12")).isPositive();
        assertThat(KernelRelease.compare("6.1.0-56-arm64", "6.1.0-56-arm64-rt")).isNegative();
        assertThat(KernelRelease.compare("6.01", "6.1")).isZero();
        // where a plain natural sort and linux-version disagree: a release candidate sorts before the release
        assertThat(KernelRelease.compare("6.12.0-rc7-arm64", "6.12.0-arm64")).isNegative();
    }
}
