package dev.berth.testing.net;

import java.util.List;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Puts net.ipv4.ip_forward back as a module's test run found it. Any test that starts berth's built-in network (or
 * a CNI bridge with a gateway) turns forwarding on for the whole node; the run's bridges are gone by its end, so a
 * value that changed is restored unless someone else's bridge now exists. Registered for every module whose tests
 * have test-support on their class path.
 */
public final class IpForwardingRestorer implements LauncherSessionListener {

    private IpForwarding before;

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        before = IpForwarding.snapshot();
    }

    @Override
    public void launcherSessionClosed(LauncherSession session) {
        if (before != null) {
            String note = before.restore(List.of());
            if (!note.isEmpty()) {
                System.out.println("test run: " + note);
            }
        }
    }
}
