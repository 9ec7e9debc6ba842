package dev.handoff.cli;

/** A command that cannot do what was asked; the message says why and what to do. */
public class CliException extends RuntimeException {
  public CliException(String message) {
    super(message);
  }
}
