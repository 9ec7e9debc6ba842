package dev.handoff.haproxy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Edits a HAProxy config so that, in one backend, exactly the named servers are enabled and every other
 * server line carries {@code disabled}; a reload then keeps what the runtime API set.
 */
public final class HaproxyConfigFile {
  private HaproxyConfigFile() {}

  public static String setEnabled(String config, String backend, Set<String> enabled) {
    List<String> out = new ArrayList<>();
    boolean inBackend = false;
    boolean found = false;
    for (String line : config.split("\n", -1)) {
      String t = line.strip();
      if (isSectionHeader(t)) {
        inBackend = t.equals("backend " + backend) || t.startsWith("backend " + backend + " ");
        found |= inBackend;
      }
      if (inBackend && t.startsWith("server ")) {
        String name = t.split("\\s+")[1];
        String base = line.replaceAll("\\s+disabled\\s*$", "");
        out.add(enabled.contains(name) ? base : base + " disabled");
      } else {
        out.add(line);
      }
    }
    if (!found) {
      throw new IllegalArgumentException("no backend " + backend + " in the config");
    }
    return String.join("\n", out);
  }

  private static boolean isSectionHeader(String t) {
    for (String s : List.of("global", "defaults", "frontend", "backend", "listen", "peers", "resolvers", "userlist",
        "program", "cache", "ring", "http-errors", "mailers")) {
      if (t.equals(s) || t.startsWith(s + " ")) {
        return true;
      }
    }
    return false;
  }
}
