package ctfleet.agent.kernel;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A {@link FlowMaker} running inside a namespace, holding its flows until closed. */
public final class OpenFlows implements AutoCloseable {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(20);

    private final Process process;
    private final FlowPlan plan;

    private OpenFlows(Process process, FlowPlan plan) {
        this.process = process;
        this.plan = plan;
    }

    /** Starts the flows and returns once all are open. */
    public static OpenFlows open(Netns netns, FlowPlan plan) {
        Process process = netns.start(JavaCommand.of(FlowMaker.class.getName(), List.of(plan.spec())));
        OpenFlows flows = new OpenFlows(process, plan);
        try {
            flows.awaitReady();
            return flows;
        } catch (RuntimeException e) {
            flows.close();
            throw e;
        }
    }

    public FlowPlan plan() {
        return plan;
    }

    /** Whether the FlowMaker process (and so its sockets) is still alive. */
    public boolean running() {
        return process.isAlive();
    }

    private void awaitReady() {
        BufferedReader stdout = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        // A separate thread only because readLine cannot time out; it ends with the process's stdout.
        CompletableFuture<String> firstLine = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try {
                firstLine.complete(String.valueOf(stdout.readLine()));
            } catch (IOException e) {
                firstLine.completeExceptionally(e);
            }
        }, "flow-maker-stdout");
        reader.setDaemon(true);
        reader.start();
        try {
            String line = firstLine.get(READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (!FlowMaker.READY.equals(line)) {
                throw new IllegalStateException("FlowMaker said " + line + " instead of " + FlowMaker.READY
                        + " (exit " + exitCodeIfDone() + "; its stderr is in the test log)");
            }
        } catch (TimeoutException e) {
            throw new IllegalStateException("FlowMaker not ready after " + READY_TIMEOUT, e);
        } catch (ExecutionException e) {
            throw new UncheckedIOException(new IOException("reading FlowMaker output", e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private String exitCodeIfDone() {
        return process.isAlive() ? "none, still running" : String.valueOf(process.exitValue());
    }

    /** Closes FlowMaker's stdin so it closes its sockets; kills it if it lingers. */
    @Override
    public void close() {
        try {
            process.getOutputStream().close();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (IOException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
