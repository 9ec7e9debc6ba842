package dev.handoff.cli;

import dev.handoff.lab.LabDefaults;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Option;

/** A command about one lab: {@code --dir D}, the lab directory, else ~/.cache/handoff/lab. */
abstract class LabDirCommand implements Callable<Integer> {
  @Option(names = "--dir", description = "Lab directory (default: ~/.cache/handoff/lab).")
  Path dir;

  /** The directory given, else the default one. */
  Path labDir() {
    return dir != null ? dir : LabDefaults.labDir();
  }
}
