package dev.handoff.lab;

/** A lab operation that cannot go on; the message names the problem and the fix. */
public class LabException extends RuntimeException {
  public LabException(String message) {
    super(message);
  }

  public LabException(String message, Throwable cause) {
    super(message, cause);
  }
}
