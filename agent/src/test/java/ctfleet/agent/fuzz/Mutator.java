package ctfleet.agent.fuzz;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Random;

/**
 * Byte-level mutations of a seed, in the spirit of AFL's havoc stage, plus the shapes hostile
 * /proc content takes: NUL bytes, one huge line, a file cut short, pure noise.
 */
public final class Mutator {
    private final Random random;

    public Mutator(long seed) {
        this.random = new Random(seed);
    }

    public Random random() {
        return random;
    }

    public byte[] mutate(byte[] seed) {
        byte[] b = seed;
        int rounds = 1 + random.nextInt(4);
        for (int i = 0; i < rounds; i++) {
            b = once(b);
        }
        return b;
    }

    private byte[] once(byte[] b) {
        int n = b.length;
        switch (random.nextInt(11)) {
            case 0: { // flip bits
                if (n == 0) return randomBytes(8);
                byte[] c = b.clone();
                c[random.nextInt(n)] ^= (byte) (1 << random.nextInt(8));
                return c;
            }
            case 1: // cut short, as a read interrupted mid-file
                return n == 0 ? b : Arrays.copyOf(b, random.nextInt(n));
            case 2: // NUL bytes
                return insert(b, new byte[1 + random.nextInt(4)]);
            case 3: { // a long line (up to 4 KiB), now and then a huge one (up to 1 MiB): hex digits or junk
                int len = 1 + random.nextInt(random.nextInt(8) == 0 ? 1 << 20 : 4096);
                byte[] line = new byte[len];
                boolean hex = random.nextBoolean();
                for (int i = 0; i < len; i++) {
                    line[i] = hex ? (byte) "0123456789abcdef".charAt(random.nextInt(16)) : (byte) (33 + random.nextInt(94));
                }
                return insert(b, line);
            }
            case 4: // pure noise
                return randomBytes(random.nextInt(512));
            case 5: { // duplicate a range (extra rows, repeated headers)
                if (n == 0) return b;
                int from = random.nextInt(n);
                int to = from + random.nextInt(n - from + 1);
                return insert(b, Arrays.copyOfRange(b, from, to));
            }
            case 6: { // delete a range
                if (n == 0) return b;
                int from = random.nextInt(n);
                int to = from + random.nextInt(n - from + 1);
                ByteArrayOutputStream o = new ByteArrayOutputStream();
                o.write(b, 0, from);
                o.write(b, to, n - to);
                return o.toByteArray();
            }
            case 7: // interesting tokens: signs, overflow, whitespace kinds
                return insert(b, pick("-", "-1", "18446744073709551616", "9223372036854775808", "ffffffffff",
                        "\t", "\r\n", "\n\n", " ", "0x10", "+5", "1e9", "NaN", "\u00ff").getBytes(
                                java.nio.charset.StandardCharsets.ISO_8859_1));
            case 8: // empty
                return new byte[0];
            case 9: { // replace one byte with a delimiter
                if (n == 0) return b;
                byte[] c = b.clone();
                c[random.nextInt(n)] = (byte) " \n\t:\0-".charAt(random.nextInt(6));
                return c;
            }
            default: // random bytes in place
                return insert(b, randomBytes(1 + random.nextInt(16)));
        }
    }

    private String pick(String... options) {
        return options[random.nextInt(options.length)];
    }

    private byte[] insert(byte[] b, byte[] what) {
        int at = b.length == 0 ? 0 : random.nextInt(b.length + 1);
        byte[] c = new byte[b.length + what.length];
        System.arraycopy(b, 0, c, 0, at);
        System.arraycopy(what, 0, c, at, what.length);
        System.arraycopy(b, at, c, at + what.length, b.length - at);
        return c;
    }

    public byte[] randomBytes(int n) {
        byte[] c = new byte[n];
        random.nextBytes(c);
        return c;
    }
}
