package dev.handoff.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MySqlGtidSetTest {
  private static final String A = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
  private static final String B = "8a94f357-aab4-11df-86ab-c80aa9429563";

  private static GtidSet g(String s) {
    return GtidSet.parse(Flavor.MYSQL, s);
  }

  @Test
  void parsesMultiIntervalMultiUuidAndRoundTrips() {
    GtidSet s = g(A + ":1-5:7-9," + B + ":1-3");
    assertThat(((MySqlGtidSet) s).intervals().keySet()).containsExactly(A, B);
    assertThat(((MySqlGtidSet) s).intervals()).isEqualTo(Map.of(
        A, List.of(new MySqlGtidSet.Interval(1, 5), new MySqlGtidSet.Interval(7, 9)),
        B, List.of(new MySqlGtidSet.Interval(1, 3))));
    assertThat(s).hasToString(A + ":1-5:7-9," + B + ":1-3");
    assertThat(g(s.toString())).isEqualTo(s);
    assertThat(s.transactionCount()).isEqualTo(11);
    assertThat(s.flavor()).isEqualTo(Flavor.MYSQL);
  }

  @Test
  void toleratesServerFormattingNewlinesCaseAndSingleTransactions() {
    // what SELECT @@gtid_executed prints for several sources
    GtidSet s = g(B.toUpperCase() + ":1-3,\n" + A + ":7:1-5:6\n");
    assertThat(s).hasToString(A + ":1-7," + B + ":1-3");
    assertThat(g(A + ":4")).hasToString(A + ":4");
  }

  @Test
  void mergesOverlappingAndAdjacentIntervals() {
    assertThat(g(A + ":1-3:4-6:5-10:20")).hasToString(A + ":1-10:20");
    assertThat(g(A + ":1-3," + A + ":4")).hasToString(A + ":1-4");
  }

  @Test
  void emptyStringIsEmptySet() {
    assertThat(g("").isEmpty()).isTrue();
    assertThat(g(" \n ").isEmpty()).isTrue();
    assertThat(g(null)).hasToString("");
    assertThat(GtidSet.empty(Flavor.MYSQL)).isEqualTo(g(""));
  }

  @Test
  void subsetOverIntervals() {
    GtidSet primary = g(A + ":1-100," + B + ":1-10");
    assertThat(g(A + ":1-50").isSubsetOf(primary)).isTrue();
    assertThat(g(A + ":3:7-9," + B + ":10").isSubsetOf(primary)).isTrue();
    assertThat(g("").isSubsetOf(primary)).isTrue();
    assertThat(g(A + ":1-101").isSubsetOf(primary)).isFalse();
    assertThat(g(A + ":1-5:7-9").contains(g(A + ":6"))).isFalse();
    assertThat(g(A + ":1-5:7-9").contains(g(A + ":4-8"))).isFalse();
  }

  @Test
  void subtractIsIntervalDifference() {
    GtidSet replica = g(A + ":1-20," + B + ":1-3");
    GtidSet primary = g(A + ":1-5:8-10:15");
    assertThat(replica.subtract(primary)).hasToString(A + ":6-7:11-14:16-20," + B + ":1-3");
    assertThat(primary.subtract(replica).isEmpty()).isTrue();
    assertThat(replica.subtract(g(""))).isEqualTo(replica);
    assertThat(g("").subtract(replica).isEmpty()).isTrue();
  }

  @Test
  void relationUnionOrigin() {
    assertThat(g(A + ":1-10").relationTo(g(A + ":1-9"))).isEqualTo(GtidRelation.AHEAD);
    assertThat(g(A + ":1-9").relationTo(g(A + ":1-10"))).isEqualTo(GtidRelation.BEHIND);
    assertThat(g(A + ":1-10").relationTo(g(A.toUpperCase() + ":1-10"))).isEqualTo(GtidRelation.EQUAL);
    assertThat(g(A + ":1-10," + B + ":1").relationTo(g(A + ":1-11"))).isEqualTo(GtidRelation.DIVERGED);
    assertThat(g(A + ":1-3").union(g(A + ":4-6," + B + ":2"))).hasToString(A + ":1-6," + B + ":2");
    assertThat(g(A + ":1-3," + B + ":2").originatedBy(B.toUpperCase())).hasToString(B + ":2");
    assertThat(g(A + ":1-3").originatedBy(B).isEmpty()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "not-a-uuid:1-5",
    "3e11fa47-71ca-11e1-9e33-c80aa9429562",
    "3e11fa47-71ca-11e1-9e33-c80aa9429562:5-1",
    "3e11fa47-71ca-11e1-9e33-c80aa9429562:0-3",
    "3e11fa47-71ca-11e1-9e33-c80aa9429562:x",
    "3e11fa47-71ca-11e1-9e33-c80aa9429562:tag:1-3",
    "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-2-3"
  })
  void refusesMalformedNamingTheInput(String text) {
    assertThatThrownBy(() -> g(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + text + "'");
  }
}
