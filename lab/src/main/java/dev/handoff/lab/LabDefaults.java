package dev.handoff.lab;

import java.nio.file.Path;

/** Where the lab lives unless told otherwise. */
public final class LabDefaults {
  private LabDefaults() {}

  public static Path cacheDir() {
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
    return base.resolve("handoff");
  }

  public static Path labDir() {
    return cacheDir().resolve("lab");
  }
}
