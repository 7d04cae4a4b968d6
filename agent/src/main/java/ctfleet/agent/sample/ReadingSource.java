package ctfleet.agent.sample;

import java.io.IOException;

/**
 * Where an agent's readings come from: {@link Sampler} reads /proc; the simulator plugs in a synthetic
 * host here, so everything downstream (encoder, shipper) is the real pipeline.
 */
public interface ReadingSource {
    Reading read() throws IOException;
}
