package dev.berth.cri.cli;

import dev.berth.cri.BerthDaemon;
import dev.berth.cri.config.BerthConfig;
import dev.berth.cri.config.ConfigException;
import dev.berth.cri.server.StartupException;
import dev.berth.cri.wiring.NativeBindings;
import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;
import sun.misc.Signal;

/**
 * `berth serve`: runs the daemon until SIGTERM or SIGINT, then stops accepting, lets in-flight calls finish and
 * exits 0. Containers are not touched: their monitors outlive the daemon.
 */
public final class ServeCommand {

    private final PrintStream out;
    private final PrintStream err;

    public ServeCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public int run(String[] args) {
        NativeBindings.bindInBackground();
        BerthConfig config;
        try {
            config = ConfigOption.parse(args).load();
        } catch (UsageException e) {
            err.println("berth serve: " + e.getMessage());
            return 2;
        } catch (ConfigException e) {
            err.println("berth: " + e.getMessage());
            return 1;
        }
        Logging.configure(config.server().logLevel());
        CountDownLatch stop = new CountDownLatch(1);
        // Handling the signals ourselves (instead of a shutdown hook) lets a clean stop exit 0, not 143.
        Signal.handle(new Signal("TERM"), signal -> stop.countDown());
        Signal.handle(new Signal("INT"), signal -> stop.countDown());
        try (BerthDaemon daemon = BerthDaemon.start(config)) {
            out.flush();
            stop.await();
            org.slf4j.LoggerFactory.getLogger(ServeCommand.class).info("stopping on signal");
        } catch (StartupException e) {
            err.println("berth: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }
}
