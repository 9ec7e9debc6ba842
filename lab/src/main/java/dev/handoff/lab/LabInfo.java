package dev.handoff.lab;

import dev.handoff.config.HandoffConfig;
import java.nio.file.Path;

/** A running lab: its dir, the handoff.yml it wrote, and how long it took to start. */
public record LabInfo(Path dir, Path configFile, HandoffConfig config, double startSeconds) {}
