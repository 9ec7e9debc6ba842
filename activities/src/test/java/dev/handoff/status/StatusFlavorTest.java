package dev.handoff.status;

import dev.handoff.domain.Flavor;
import static org.assertj.core.api.Assertions.assertThat;

import dev.handoff.config.ClusterSettings;
import dev.handoff.config.InstanceSettings;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The status judges GTIDs by the flavor the servers report, and lists a configured flavor they contradict. */
class StatusFlavorTest {
  private static ClusterSettings cluster(String flavor) {
    return new ClusterSettings("c1", flavor, List.of(new InstanceSettings("127.0.0.1", 3306, null),
        new InstanceSettings("127.0.0.1", 3307, null)), null, null, null, null);
  }

  @Test
  void theServersVersionDecidesTheFlavorAndADisagreementIsAProblem() {
    Map<String, String> versions = new LinkedHashMap<>();
    versions.put("127.0.0.1:3306", "10.11.6-MariaDB-0+deb12u1");
    versions.put("127.0.0.1:3307", "10.11.6-MariaDB-0+deb12u1");

    assertThat(ClusterStatusReader.flavor(cluster("mysql"), versions)).isEqualTo(Flavor.MARIADB);
    assertThat(ClusterStatusReader.flavorProblems(cluster("mysql"), versions)).hasSize(2).first().asString()
        .contains("the configuration says flavor mysql", "127.0.0.1:3306 reports @@version 10.11.6-MariaDB",
            "Handoff uses mariadb");
    assertThat(ClusterStatusReader.flavorProblems(cluster("mariadb"), versions)).isEmpty();
  }

  @Test
  void withNoInstanceAnsweringTheConfigurationIsTheFallback() {
    assertThat(ClusterStatusReader.flavor(cluster("mysql"), Map.of())).isEqualTo(Flavor.MYSQL);
    assertThat(ClusterStatusReader.flavorProblems(cluster("mysql"), Map.of())).isEmpty();
  }
}
