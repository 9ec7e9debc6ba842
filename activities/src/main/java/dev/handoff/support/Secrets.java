package dev.handoff.support;

import dev.handoff.config.ConfigException;
import dev.handoff.config.SecretRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads what a secret reference points to, for the worker: an environment variable or a file. */
public final class Secrets {
  private Secrets() {}

  /** The secret's value; the message of a failure names the reference, never a value. */
  public static String resolve(SecretRef ref) {
    if (ref.env() != null) {
      String v = System.getenv(ref.env());
      if (v == null) {
        throw new ConfigException("secret environment variable " + ref.env() + " is not set");
      }
      return v;
    }
    try {
      return Files.readString(Path.of(ref.file())).strip();
    } catch (IOException e) {
      throw new ConfigException("cannot read secret file " + ref.file() + ": " + e.getClass().getSimpleName());
    }
  }
}
