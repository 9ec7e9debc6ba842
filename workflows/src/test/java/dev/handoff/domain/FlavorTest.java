package dev.handoff.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class FlavorTest {

  @ParameterizedTest
  @CsvSource({
    "10.11.19-MariaDB-0+deb12u1, MARIADB",
    "5.5.5-10.6.12-MariaDB-log, MARIADB",
    "11.4.2-mariadb, MARIADB",
    "8.0.36, MYSQL",
    "8.4.0-commercial, MYSQL",
    "8.0.35-27 , MYSQL"
  })
  void detectsFromVersion(String version, Flavor expected) {
    assertThat(Flavor.fromVersion(version)).isEqualTo(expected);
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {"  ", "unknown"})
  void refusesUnknownVersions(String version) {
    assertThatThrownBy(() -> Flavor.fromVersion(version))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("@@version");
  }
}
