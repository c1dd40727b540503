package dev.berth.cri.wiring;

import dev.berth.image.layer.NativeFs;
import dev.berth.runtime.host.sys.Syscalls;

/**
 * Binds libc for the image store and the runtime on a thread of its own at the start of `berth serve`. jnr generates
 * and loads the binding classes (a quarter of start-up when done in line); the main thread meanwhile reads the
 * config and binds the sockets, and waits only if it needs a binding that is still being made. Each binding is one
 * per JVM, so nothing is made twice. It touches no logger (logging is configured after it starts).
 */
public final class NativeBindings {

    private NativeBindings() {
    }

    /** Starts the binding thread and returns it (a daemon thread: it never holds up an exit). */
    public static Thread bindInBackground() {
        Thread thread = new Thread(NativeBindings::bind, "native-bindings");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    static void bind() {
        try {
            NativeFs.load();
            Syscalls.bind();
        } catch (RuntimeException | LinkageError e) {
            // Not logged: this runs before logging is configured, and the main thread meets the same failure
            // where it needs the binding, and reports it there.
        }
    }
}
