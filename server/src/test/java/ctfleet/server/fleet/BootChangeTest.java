package ctfleet.server.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class BootChangeTest {
    static final String KERNEL_A = "5f0c2a9e-8d1b-4c3e-9a7f-2b6d1e0c4f83";
    static final String KERNEL_B = "0b9e7c51-3f2a-4d8e-b6c1-7a4e2d9f0c15";

    @Test
    void twoAgentBootIdsAreAReboot() {
        assertEquals(BootChange.REBOOT, BootChange.between(KERNEL_A, KERNEL_B));
        assertEquals(BootChange.REBOOT, BootChange.between(BootChange.code(KERNEL_A), BootChange.code(KERNEL_B)));
    }

    @Test
    void twoImportedBootTimesAreAReboot() {
        assertEquals(BootChange.REBOOT, BootChange.between("boot-1700000000", "boot-1700086400"));
        assertEquals(BootChange.REBOOT,
                BootChange.between(BootChange.code("boot-1700000000"), BootChange.code("boot-1700086400")));
    }

    @Test
    void anImportedBootIdNextToAnAgentsSaysNothing() {
        assertEquals(BootChange.UNKNOWN, BootChange.between("boot-1700000000", KERNEL_A));
        assertEquals(BootChange.UNKNOWN, BootChange.between(KERNEL_A, "boot-1700000000"));
        assertEquals(BootChange.UNKNOWN,
                BootChange.between(BootChange.code("boot-1700000000"), BootChange.code(KERNEL_A)));
        assertEquals(BootChange.UNKNOWN,
                BootChange.between(BootChange.code(KERNEL_A), BootChange.code("boot-1700000000")));
    }

    @Test
    void aMissingBootIdNextToAnyOtherSaysNothing() {
        assertEquals(BootChange.UNKNOWN, BootChange.between("", KERNEL_A));
        assertEquals(BootChange.UNKNOWN, BootChange.between("boot-1700000000", ""));
        assertEquals(BootChange.UNKNOWN, BootChange.between(BootChange.code(""), BootChange.code(KERNEL_A)));
        assertEquals(BootChange.SAME, BootChange.between("", ""));
    }

    @Test
    void anAgentIdKeepsItsPlainHashSoStoredSamplesStillMatch() {
        assertEquals(KERNEL_A.hashCode(), BootChange.code(KERNEL_A));
    }

    @Test
    void anUnknownChangeAddsNothing() {
        assertEquals(0, CounterIncrease.between(10, 3_000_000, BootChange.UNKNOWN));
    }
}
