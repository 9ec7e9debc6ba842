package dev.handoff.mysql;

import dev.handoff.config.ClusterSettings;
import dev.handoff.domain.Flavor;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The flavor of each instance as its {@code @@version} says, which is what Handoff's SQL follows. The
 * configuration's {@code flavor:} is only a fallback for when no instance of a cluster has answered yet; when
 * it disagrees with a server, that is reported (once per instance and version) as a warning.
 */
public final class Flavors {
  private static final Logger log = LoggerFactory.getLogger(Flavors.class);
  /** Instance key to the flavor its @@version last showed, in this worker. */
  private static final Map<String, Flavor> DETECTED = new ConcurrentHashMap<>();
  private static final Map<String, String> REPORTED = new ConcurrentHashMap<>();

  private Flavors() {}

  /** The flavor {@code version} shows; MySQL for anything that is not MariaDB (as {@link FlavorSql#fromVersion}). */
  public static Flavor fromVersion(String version) {
    return FlavorSql.fromVersion(version) == FlavorSql.MARIADB ? Flavor.MARIADB : Flavor.MYSQL;
  }

  /**
   * What the configuration gets wrong about this instance's flavor, or null when it agrees: names the
   * instance, the configured flavor, the server's @@version and what Handoff uses.
   */
  public static String mismatch(ClusterSettings c, String instanceKey, String version) {
    Flavor detected = fromVersion(version);
    Flavor configured = c.configuredFlavor();
    if (detected == configured) {
      return null;
    }
    return "cluster " + c.name() + ": the configuration says flavor " + name(configured) + ", but " + instanceKey
        + " reports @@version " + version + ": Handoff uses " + name(detected) + " SQL for it (set flavor: "
        + name(detected) + " in the configuration)";
  }

  /**
   * Records the flavor an instance's @@version shows and returns it; a disagreement with the configuration is
   * logged as a warning the first time it is seen.
   */
  public static Flavor observed(ClusterSettings c, String instanceKey, String version) {
    Flavor detected = fromVersion(version);
    DETECTED.put(instanceKey, detected);
    String problem = mismatch(c, instanceKey, version);
    if (problem != null && !version.equals(REPORTED.put(instanceKey, version))) {
      log.warn("{}", problem);
    }
    return detected;
  }

  /** The flavor last detected on any of the cluster's instances; the configuration's when none answered yet. */
  public static Flavor of(ClusterSettings c) {
    return c.instances().stream().map(i -> DETECTED.get(i.key())).filter(f -> f != null).findFirst()
        .orElse(c.configuredFlavor());
  }

  private static String name(Flavor f) {
    return f.name().toLowerCase(Locale.ROOT);
  }

  /** Forgets every detection (tests). */
  static void reset() {
    DETECTED.clear();
    REPORTED.clear();
  }
}
