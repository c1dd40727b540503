package dev.berth.cri.streaming;

/** Which of the process's stdio the client asked for, and whether it runs on a terminal. */
public record StreamOptions(boolean stdin, boolean stdout, boolean stderr, boolean tty) {
}
