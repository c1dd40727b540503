package dev.berth.cri.streaming;

/** The protocol side of an exec or attach, as {@link RemoteCommand} sees it once the client's streams exist. */
interface CommandWire {

    /** Null when stdout was not requested. */
    OutboundChannel stdout();

    /** Null when stderr was not requested. */
    OutboundChannel stderr();

    void writeOutcome(CommandOutcome outcome);

    /** Ends the connection after everything written so far. */
    void close();
}
