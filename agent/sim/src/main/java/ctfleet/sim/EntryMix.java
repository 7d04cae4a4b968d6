package ctfleet.sim;

import java.util.SplittableRandom;

/**
 * How a simulated host's ordinary traffic fills its table, as shares of the entries that are not
 * leaked: most TCP connections are open or waiting out TIME_WAIT, a few are half-open, UDP is a
 * mix of answered and unanswered flows (DNS, mostly). The shares of a real NAT gateway vary with
 * what is behind it; these ranges keep ESTABLISHED below half of the table, so that a leak, which
 * adds only ESTABLISHED entries, is what tips a table over.
 *
 * @param udpUnreplied the share of UDP entries that never saw a reply
 */
public record EntryMix(double established, double timeWait, double synSent, double closeWait, double finWait,
                       double udp, double udpUnreplied, double icmp) {

    static EntryMix draw(SplittableRandom rnd) {
        double established = 0.25 + 0.20 * rnd.nextDouble();
        double timeWait = 0.15 + 0.15 * rnd.nextDouble();
        double synSent = 0.01 + 0.03 * rnd.nextDouble();
        double closeWait = 0.01;
        double finWait = 0.01;
        double icmp = 0.005;
        double udp = 1 - established - timeWait - synSent - closeWait - finWait - icmp;
        return new EntryMix(established, timeWait, synSent, closeWait, finWait, udp, 0.3 + 0.3 * rnd.nextDouble(),
                icmp);
    }
}
