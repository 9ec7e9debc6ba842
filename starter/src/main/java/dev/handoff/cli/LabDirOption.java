package dev.handoff.cli;

import dev.handoff.lab.LabDefaults;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --dir D}, the lab directory, else ~/.cache/handoff/lab. */
final class LabDirOption {
  @Option(names = "--dir", description = "Lab directory (default: ~/.cache/handoff/lab).")
  Path dir;

  /** The directory given, else the default one. */
  Path orDefault() {
    return dir != null ? dir : LabDefaults.labDir();
  }
}
