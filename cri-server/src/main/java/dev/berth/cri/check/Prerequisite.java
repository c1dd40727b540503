package dev.berth.cri.check;

/** One host prerequisite as `berth check` reports it. */
public record Prerequisite(String name, boolean required, boolean ok, String detail, String fix) {
}
