package dev.handoff.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.config.ClusterSettings;
import dev.handoff.config.InstanceSettings;
import dev.handoff.domain.Flavor;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The flavor comes from each server's @@version; the configuration's is a fallback, and a disagreement is named. */
class FlavorsTest {
  private static final String MARIADB = "10.11.6-MariaDB-0+deb12u1-log";
  private static final String MYSQL = "8.0.36";

  private static ClusterSettings cluster(String flavor) {
    return new ClusterSettings("c1", flavor, List.of(new InstanceSettings("127.0.0.1", 3306, null),
        new InstanceSettings("127.0.0.1", 3307, null)), null, null, null, null);
  }

  @AfterEach
  void forget() {
    Flavors.reset();
  }

  @Test
  void theVersionDecides() {
    assertThat(Flavors.fromVersion(MARIADB)).isEqualTo(Flavor.MARIADB);
    assertThat(Flavors.fromVersion(MYSQL)).isEqualTo(Flavor.MYSQL);
    assertThat(Flavors.observed(cluster("mysql"), "127.0.0.1:3307", MARIADB)).isEqualTo(Flavor.MARIADB);
    assertThat(Flavors.of(cluster("mysql"))).as("detected, not configured").isEqualTo(Flavor.MARIADB);
  }

  @Test
  void theConfigurationIsOnlyAFallbackWhileNoInstanceAnswered() {
    assertThat(Flavors.of(cluster("mysql"))).isEqualTo(Flavor.MYSQL);
    assertThat(Flavors.of(cluster("mariadb"))).isEqualTo(Flavor.MARIADB);
  }

  @Test
  void aDisagreementNamesTheInstanceTheVersionAndWhatIsUsed() {
    assertThat(Flavors.mismatch(cluster("mariadb"), "127.0.0.1:3306", MARIADB)).isNull();
    assertThat(Flavors.mismatch(cluster("mysql"), "127.0.0.1:3306", MARIADB))
        .isEqualTo("cluster c1: the configuration says flavor mysql, but 127.0.0.1:3306 reports @@version " + MARIADB
            + ": Handoff uses mariadb SQL for it (set flavor: mariadb in the configuration)");
    assertThat(Flavors.mismatch(cluster("mariadb"), "127.0.0.1:3306", MYSQL)).contains("Handoff uses mysql SQL");
  }
}
