package dev.handoff.planning;

import java.util.Locale;

/** Number formatting shared by the planning messages, so seconds read the same everywhere. */
final class Format {
  private Format() {}

  /** "12" for whole seconds, "0.5" otherwise. */
  static String seconds(double s) {
    return s == Math.rint(s) && Math.abs(s) < 1e15
        ? Long.toString((long) s)
        : String.format(Locale.ROOT, "%.1f", s);
  }

  /** The text, or "none" when null or blank. */
  static String orNone(String text) {
    return text == null || text.isBlank() ? "none" : text.strip();
  }
}
