package dev.handoff.domain;

/** The server family, because GTID format and replication SQL differ between them. */
public enum Flavor {
  MARIADB,
  MYSQL;

  /** Detects the flavor from {@code SELECT @@version}, e.g. "10.11.19-MariaDB-0+deb12u1" or "8.0.36". */
  public static Flavor fromVersion(String atAtVersion) {
    if (atAtVersion == null || atAtVersion.isBlank()) {
      throw new IllegalArgumentException("cannot detect the flavor from an empty @@version");
    }
    String v = atAtVersion.strip();
    if (v.toLowerCase(java.util.Locale.ROOT).contains("mariadb")) {
      return MARIADB;
    }
    if (Character.isDigit(v.charAt(0))) {
      return MYSQL;
    }
    throw new IllegalArgumentException(
        "cannot detect the flavor from @@version '" + atAtVersion + "': expected a MySQL or MariaDB version");
  }
}
