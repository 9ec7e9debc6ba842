package dev.handoff.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static dev.handoff.domain.TemporalJson.CONVERTER;
import static dev.handoff.domain.TemporalJson.json;
import static dev.handoff.domain.TemporalJson.roundTrip;

import dev.handoff.recovery.WatchMode;
import dev.handoff.runbook.OperatorDecision;
import io.temporal.api.common.v1.Payload;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every domain type survives Temporal's default (Jackson) data converter unchanged. */
class JsonRoundTripTest {
  private static final InstanceKey P = InstanceKey.parse("127.0.0.1:3307");

  @Test
  void instanceKeyIsAPlainString() {
    assertThat(json(P)).isEqualTo("\"127.0.0.1:3307\"");
    assertThat(roundTrip(P)).isEqualTo(P);
  }

  @Test
  void enumsUseTheirWireNames() {
    assertThat(json(PromotionRule.MUST_NOT)).isEqualTo("\"must_not\"");
    assertThat(roundTrip(PromotionRule.MUST_NOT)).isEqualTo(PromotionRule.MUST_NOT);
    assertThat(json(AnalysisCode.DEAD_PRIMARY)).isEqualTo("\"DeadPrimary\"");
    assertThat(roundTrip(AnalysisCode.DEAD_PRIMARY)).isEqualTo(AnalysisCode.DEAD_PRIMARY);
    assertThat(roundTrip(Flavor.MARIADB)).isEqualTo(Flavor.MARIADB);
  }

  @Test
  void closedVocabulariesCrossAsTheirLowerCaseWireNames() {
    assertThat(json(OperatorDecision.RETRY)).isEqualTo("\"retry\"");
    assertThat(roundTrip(OperatorDecision.ABANDON)).isEqualTo(OperatorDecision.ABANDON);
    assertThat(json(WatchMode.MAINTENANCE)).isEqualTo("\"maintenance\"");
    assertThat(roundTrip(WatchMode.RECOVERING)).isEqualTo(WatchMode.RECOVERING);
    Payload unknown = CONVERTER.toPayload("maybe").orElseThrow();
    assertThatThrownBy(() -> CONVERTER.fromPayload(unknown, OperatorDecision.class, OperatorDecision.class))
        .as("a word that is no decision").hasMessageContaining("maybe");
  }

  @Test
  void instanceSnapshotWithAndWithoutReplication() {
    var repl = new ReplicationStatus(P, true, false, "0-1-5", "io err", null, null, 0.25);
    var s = new InstanceSnapshot(InstanceKey.parse("db2:3306"), true, null, 2, null, Flavor.MARIADB, "10.11.19-MariaDB",
        true, "0-1-5", repl, true, 12, PromotionRule.PREFER);
    assertThat(roundTrip(s)).isEqualTo(s);
    assertThat(json(s)).doesNotContain("lagSeconds\"", "executedSet", "originId");
    var u = InstanceSnapshot.unreachable(P, PromotionRule.MUST_NOT, "Connection refused");
    assertThat(roundTrip(u)).isEqualTo(u);
    var read = new ReplicationStatus(P, false, true, "0-1-6", "reconnecting", "", 3L, 0.5, true, true,
        new ReplicationStatus.Progress("bin.000002", 900, "bin.000002", 800, 7));
    var full = new InstanceSnapshot(InstanceKey.parse("db2:3306"), true, null, 2, null, Flavor.MARIADB, "10.11.19-MariaDB",
        true, "0-1-5", read, false, 0, PromotionRule.NEUTRAL, 0.5, true);
    assertThat(roundTrip(full)).isEqualTo(full);
    assertThat(json(full)).doesNotContain("appliedAll");
  }

  @Test
  void topologyAndGtidSets() {
    var t = new Topology("main", P, List.of(InstanceKey.parse("db2:3306")), 3);
    assertThat(roundTrip(t)).isEqualTo(t);
    GtidSet maria = GtidSet.parse(Flavor.MARIADB, "0-1-100,1-2-5");
    GtidSet mysql = GtidSet.parse(Flavor.MYSQL, "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5:7-9");
    assertThat(roundTrip(maria)).isEqualTo(maria);
    assertThat(roundTrip(mysql)).isEqualTo(mysql);
    Payload p = CONVERTER.toPayload(maria).orElseThrow();
    assertThat(CONVERTER.fromPayload(p, GtidSet.class, GtidSet.class)).isEqualTo(maria);
    assertThat(json(maria)).contains("\"flavor\":\"MARIADB\"").doesNotContain("empty");
  }

  @Test
  void instanceKeyWorksAsMapKey() {
    Map<InstanceKey, Integer> m = Map.of(P, 1);
    Payload p = CONVERTER.toPayload(m).orElseThrow();
    assertThat(p.getData().toStringUtf8()).isEqualTo("{\"127.0.0.1:3307\":1}");
  }
}
