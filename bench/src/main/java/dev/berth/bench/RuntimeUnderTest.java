package dev.berth.bench;

import java.nio.file.Path;

/** A CRI runtime the bench started for itself, with everything the scenarios need to know about it. */
public interface RuntimeUnderTest extends AutoCloseable {

    /** "berth" or "containerd": the column the results go to. */
    default String label() {
        return endpoint().label();
    }

    CriEndpoint endpoint();

    /** A private directory for pod log directories and other files the client side has to provide. */
    Path clientDir();

    /** The cgroup parent every pod of this run gets: private to the runtime, so leftovers are recognisable. */
    String cgroupParent();

    /** Bytes currently stored under the runtime's storage root (blobs, layers, metadata). */
    long storedBytes();

    /** Where the runtime wrote a created container's OCI config.json (its bundle under the runtime's state). */
    Path ociConfig(String containerId);

    /** The daemon's PID (node-overhead counts). */
    long daemonPid();

    /** The run's private directory: every helper the daemon starts names it on its command line. */
    Path workDirectory();

    /** "containerd 1.6.20" etc., for the report. */
    String describe();

    /** Removes what the scenarios left, stops the daemon by its PID and removes every trace of it. */
    @Override
    void close();
}
