package ctfleet.server.fleet;

/**
 * Exactly what to type to apply a {@link CapacityPlan}: at runtime, and so it survives a reboot.
 *
 * <p>Order matters at boot: {@code net.netfilter.*} sysctls exist only once nf_conntrack is
 * loaded, so the module must load (e.g. listed in {@code /etc/modules-load.d/}) before
 * systemd-sysctl applies {@link #sysctlFile()}; and on kernels that still use the old
 * "explicit hashsize ⇒ max = 8 × hashsize" rule the sysctl line is what pins max afterwards.
 */
public record CapacityCommands(
        String sysctlRuntime,
        String hashsizeRuntime,
        String sysctlFile,
        String sysctlLine,
        String modprobeFile,
        String modprobeLine) {

    static CapacityCommands of(long max, long buckets) {
        return new CapacityCommands(
                "sysctl -w net.netfilter.nf_conntrack_max=" + max,
                "echo " + buckets + " > /sys/module/nf_conntrack/parameters/hashsize",
                "/etc/sysctl.d/90-conntrack.conf",
                "net.netfilter.nf_conntrack_max = " + max,
                "/etc/modprobe.d/nf_conntrack.conf",
                "options nf_conntrack hashsize=" + buckets);
    }
}
