package dev.handoff.config;

/** A configuration that cannot be used; the message names the file and every bad field. */
public class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }
}
