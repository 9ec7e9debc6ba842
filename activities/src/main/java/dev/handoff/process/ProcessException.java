package dev.handoff.process;

/** A local process that could not be started, signalled or recorded. */
public class ProcessException extends RuntimeException {
  public ProcessException(String message) {
    super(message);
  }

  public ProcessException(String message, Throwable cause) {
    super(message, cause);
  }
}
