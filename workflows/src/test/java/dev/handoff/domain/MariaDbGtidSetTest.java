package dev.handoff.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MariaDbGtidSetTest {

  private static GtidSet g(String s) {
    return GtidSet.parse(Flavor.MARIADB, s);
  }

  @Test
  void parsesMultipleDomainsAndRoundTrips() {
    GtidSet s = g("0-1-100,1-2-5");
    assertThat(s).isInstanceOf(MariaDbGtidSet.class);
    assertThat(((MariaDbGtidSet) s).positions())
        .containsExactly(new MariaDbGtidSet.Gtid(0, 1, 100), new MariaDbGtidSet.Gtid(1, 2, 5));
    assertThat(s).hasToString("0-1-100,1-2-5");
    assertThat(g(s.toString())).isEqualTo(s);
    assertThat(s.flavor()).isEqualTo(Flavor.MARIADB);
  }

  @Test
  void normalizesOrderWhitespaceAndDuplicateDomains() {
    assertThat(g(" 1-2-5,\n0-1-100 ")).hasToString("0-1-100,1-2-5");
    // gtid_binlog_pos may list one GTID per server in a domain: the furthest one is the position
    assertThat(g("0-1-100,0-2-90")).hasToString("0-1-100");
    assertThat(g("0-2-90,0-1-100")).isEqualTo(g("0-1-100"));
  }

  @Test
  void emptyStringIsEmptySet() {
    assertThat(g("")).matches(GtidSet::isEmpty);
    assertThat(g(null)).matches(GtidSet::isEmpty);
    assertThat(g("")).hasToString("");
    assertThat(GtidSet.empty(Flavor.MARIADB)).isEqualTo(g(""));
    assertThat(g("0-1-0").isEmpty()).isTrue();
    assertThat(g("0-1-1").isEmpty()).isFalse();
  }

  @Test
  void subsetComparesSeqPerDomain() {
    GtidSet primary = g("0-1-100,1-2-5");
    assertThat(g("0-1-99").isSubsetOf(primary)).isTrue();
    assertThat(g("0-1-100,1-2-5").isSubsetOf(primary)).isTrue();
    assertThat(g("").isSubsetOf(primary)).isTrue();
    assertThat(primary.contains(g(""))).isTrue();
    assertThat(g("0-1-101").isSubsetOf(primary)).isFalse();
    assertThat(g("0-1-50,2-3-1").isSubsetOf(primary)).isFalse(); // a domain the primary never had
    assertThat(primary.contains(g("0-1-100,1-2-5"))).isTrue();
  }

  @Test
  void serverIdIsInformationalAcrossFailoversButSameSeqFromAnotherServerDiverges() {
    // after a failover the new primary (server 2) continues domain 0: comparison is by seq
    assertThat(g("0-2-150").contains(g("0-1-100"))).isTrue();
    assertThat(g("0-1-100").isSubsetOf(g("0-2-150"))).isTrue();
    // the same domain and seq written by two servers are two different transactions
    assertThat(g("0-3-100").isSubsetOf(g("0-1-100"))).isFalse();
    assertThat(g("0-3-100").relationTo(g("0-1-100"))).isEqualTo(GtidRelation.DIVERGED);
  }

  @Test
  void subtractListsPositionsOfDomainsWhereThisIsAhead() {
    GtidSet candidate = g("0-3-12,1-2-5,2-1-7");
    GtidSet primary = g("0-1-11,1-2-9");
    assertThat(candidate.subtract(primary)).hasToString("0-3-12,2-1-7");
    assertThat(primary.subtract(candidate)).hasToString("1-2-9");
    assertThat(primary.subtract(primary).isEmpty()).isTrue();
    assertThat(g("").subtract(primary).isEmpty()).isTrue();
    assertThat(primary.subtract(g(""))).isEqualTo(primary);
  }

  @Test
  void relationSaysAheadBehindEqualDiverged() {
    assertThat(g("0-1-10").relationTo(g("0-1-10"))).isEqualTo(GtidRelation.EQUAL);
    assertThat(g("0-1-11").relationTo(g("0-1-10"))).isEqualTo(GtidRelation.AHEAD);
    assertThat(g("0-1-9").relationTo(g("0-1-10"))).isEqualTo(GtidRelation.BEHIND);
    assertThat(g("0-1-11,1-1-1").relationTo(g("0-1-10,1-1-2"))).isEqualTo(GtidRelation.DIVERGED);
  }

  @Test
  void unionTakesTheFurtherPositionPerDomain() {
    assertThat(g("0-1-10,1-2-3").union(g("0-1-12,2-5-1"))).hasToString("0-1-12,1-2-3,2-5-1");
  }

  @Test
  void countsAndOrigin() {
    assertThat(g("0-1-100,1-2-5").transactionCount()).isEqualTo(105);
    assertThat(g("").transactionCount()).isZero();
    assertThat(g("0-1-100,1-2-5,2-2-1").originatedBy("2")).hasToString("1-2-5,2-2-1");
    assertThat(((MariaDbGtidSet) g("0-1-100,1-2-5")).seqOf(1)).isEqualTo(5);
    assertThat(((MariaDbGtidSet) g("0-1-100")).seqOf(7)).isZero();
    assertThatThrownBy(() -> g("0-1-1").originatedBy("abc")).hasMessageContaining("'abc'");
  }

  @ParameterizedTest
  @ValueSource(strings = {"0-1", "0-1-2-3", "a-1-2", "0-1-x", "0--1-2", "0-1-100,1-2"})
  void refusesMalformedNamingTheInput(String text) {
    assertThatThrownBy(() -> g(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + text + "'");
  }

  @Test
  void refusesComparingFlavors() {
    GtidSet mysql = GtidSet.parse(Flavor.MYSQL, "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5");
    assertThatThrownBy(() -> g("0-1-1").contains(mysql))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("MYSQL");
    assertThatThrownBy(() -> GtidSet.parse(null, "0-1-1")).hasMessageContaining("without a flavor");
  }
}
