package dev.handoff.domain;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * A closed vocabulary whose wire name is its constant's name in lower case ({@code RETRY} -> "retry"): what
 * crosses the Temporal boundary, what the CLI prints, and what Jackson reads back (through this
 * {@code @JsonValue}; any other text is refused).
 */
public interface WireNamed {
  String name();

  @JsonValue
  default String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
