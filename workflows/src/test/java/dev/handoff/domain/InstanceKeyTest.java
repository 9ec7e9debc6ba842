package dev.handoff.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class InstanceKeyTest {

  @Test
  void parsesHostAndPort() {
    InstanceKey k = InstanceKey.parse("127.0.0.1:3307");
    assertThat(k.host()).isEqualTo("127.0.0.1");
    assertThat(k.port()).isEqualTo(3307);
    assertThat(k).hasToString("127.0.0.1:3307");
  }

  @Test
  void toleratesSurroundingWhitespaceAndHostnames() {
    assertThat(InstanceKey.parse("  db-1.example.com:3306 ")).isEqualTo(new InstanceKey("db-1.example.com", 3306));
  }

  @Test
  void bracketsIpv6BothWays() {
    InstanceKey k = InstanceKey.parse("[::1]:3306");
    assertThat(k.host()).isEqualTo("::1");
    assertThat(k).hasToString("[::1]:3306");
    assertThat(InstanceKey.parse(k.toString())).isEqualTo(k);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "db1|missing ':port'",
    "db1:|non-numeric port ''",
    "db1:abc|non-numeric port 'abc'",
    ":3306|empty host",
    "db1:0|outside 1..65535",
    "db1:70000|outside 1..65535",
    "::1:3306|unbracketed IPv6",
    "[::1:3306|missing ']:port'"
  })
  void rejectsBadInputNamingIt(String input, String message) {
    assertThatThrownBy(() -> InstanceKey.parse(input))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + input + "'")
        .hasMessageContaining(message);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "   "})
  void rejectsBlank(String input) {
    assertThatThrownBy(() -> InstanceKey.parse(input)).hasMessageContaining("must be host:port");
  }

  @Test
  void rejectsNullAndBadConstructorArguments() {
    assertThatThrownBy(() -> InstanceKey.parse(null)).hasMessageContaining("must be host:port");
    assertThatThrownBy(() -> new InstanceKey(" ", 3306)).hasMessageContaining("host must not be blank");
    assertThatThrownBy(() -> new InstanceKey("db1", -1)).hasMessageContaining("got -1 for host db1");
  }

  @Test
  void ordersByHostThenPortNumerically() {
    assertThat(InstanceKey.parse("a:3310")).isGreaterThan(InstanceKey.parse("a:3309"));
    assertThat(InstanceKey.parse("a:9999")).isLessThan(InstanceKey.parse("b:1"));
  }
}
