package ctfleet.agent.kernel;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/** The kernel-test gate: never a silent skip in CI. */
class KernelTestSupportTest {

    @Test
    void failsInCiWhenPrerequisitesAreMissing() {
        AssertionFailedError failure = assertThrows(AssertionFailedError.class,
                () -> KernelTestSupport.require(List.of("root", "nft (nftables)"), "true"));

        assertTrue(failure.getMessage().contains("root, nft (nftables)"), failure.getMessage());
    }

    @Test
    void skipsOutsideCiWhenPrerequisitesAreMissing() {
        assertThrows(TestAbortedException.class, () -> KernelTestSupport.require(List.of("root"), null));
        assertThrows(TestAbortedException.class, () -> KernelTestSupport.require(List.of("root"), "false"));
    }

    @Test
    void runsWhenNothingIsMissingEvenInCi() {
        assertDoesNotThrow(() -> KernelTestSupport.require(List.of(), "true"));
        assertDoesNotThrow(() -> KernelTestSupport.require(List.of(), null));
    }
}
