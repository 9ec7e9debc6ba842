package dev.handoff.planning;

import static dev.handoff.planning.CheckResult.fail;
import static dev.handoff.planning.CheckResult.pass;

import dev.handoff.domain.FailureType;
import dev.handoff.domain.GtidSet;
import dev.handoff.domain.InstanceKey;
import dev.handoff.domain.InstanceSnapshot;
import dev.handoff.domain.PromotionRule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Step 1 of a planned switchover as a pure function of instance snapshots: decides the candidate or
 * refuses with a stable failure type before anything is changed.
 */
public final class SwitchoverChecks {
  public static final String PRIMARY_REACHABLE = "primary-reachable";
  public static final String CANDIDATE_KNOWN = "candidate-known";
  public static final String CANDIDATE_SELECTION = "candidate-selection";
  public static final String CANDIDATE_REACHABLE = "candidate-reachable";
  public static final String CANDIDATE_REPLICATING = "candidate-replicating";
  public static final String CANDIDATE_LAG = "candidate-lag";
  public static final String CANDIDATE_NO_DDL = "candidate-no-ddl";
  public static final String CANDIDATE_NO_ERRANT_GTID = "candidate-no-errant-gtid";
  public static final String CANDIDATE_PROMOTION_RULE = "candidate-promotion-rule";
  public static final String PRIMARY_NO_LONG_DML = "primary-no-long-dml";
  /** HAProxy checks are named "haproxy:NAME"; with none configured a single "haproxy" check passes. */
  public static final String HAPROXY_PREFIX = "haproxy";

  private SwitchoverChecks() {}

  /**
   * Runs every pre-check. With {@code requestedCandidate} null, the best eligible replica is chosen
   * ({@link CandidateSelector#choosePlanned}). The decision is refused on the first failed check.
   *
   * @param haproxyAnswers remote HAProxy name to whether its admin socket answered (null = did not)
   */
  public static SwitchoverDecision evaluate(
      InstanceSnapshot primary,
      List<InstanceSnapshot> replicas,
      InstanceKey requestedCandidate,
      SwitchoverLimits limits,
      Map<String, Boolean> haproxyAnswers) {
    Map<InstanceKey, InstanceSnapshot> byKey = new LinkedHashMap<>();
    for (InstanceSnapshot r : replicas == null ? List.<InstanceSnapshot>of() : replicas) {
      if (!r.key().equals(primary.key())) {
        byKey.putIfAbsent(r.key(), r);
      }
    }
    List<CheckResult> checks = new ArrayList<>();
    checks.add(primaryReachable(primary));
    InstanceKey candidate = requestedCandidate;
    if (requestedCandidate != null) {
      InstanceSnapshot state = byKey.get(requestedCandidate);
      if (requestedCandidate.equals(primary.key())) {
        checks.add(fail(CANDIDATE_KNOWN, FailureType.CANDIDATE_IS_PRIMARY,
            "candidate " + requestedCandidate + " is already the primary; name one of its replicas: "
                + keys(byKey.keySet())));
      } else if (state == null) {
        checks.add(fail(CANDIDATE_KNOWN, FailureType.UNKNOWN_INSTANCE,
            "candidate " + requestedCandidate + " is not a replica of primary " + primary.key()
                + " (replicas: " + keys(byKey.keySet()) + "); name one of them, or omit the candidate to choose the best"));
      } else {
        checks.add(pass(CANDIDATE_KNOWN, requestedCandidate + " is a replica of primary " + primary.key()));
        checks.addAll(candidateChecks(primary, state, limits));
      }
    } else {
      Map<String, String> ineligible = new TreeMap<>();
      List<InstanceSnapshot> eligible = new ArrayList<>();
      for (InstanceSnapshot r : byKey.values()) {
        candidateChecks(primary, r, limits).stream().filter(c -> !c.passed()).findFirst()
            .ifPresentOrElse(
                f -> ineligible.put(r.key().toString(), f.failureType() + ": " + f.detail()),
                () -> eligible.add(r));
      }
      InstanceSnapshot best = CandidateSelector.choosePlanned(eligible);
      if (best == null) {
        checks.add(fail(CANDIDATE_SELECTION, FailureType.NO_ELIGIBLE_CANDIDATE,
            "no replica of primary " + primary.key() + " can be promoted"
                + (ineligible.isEmpty() ? " (it has no replicas)" : ": " + describe(ineligible))
                + "; fix one of them and retry"));
      } else {
        candidate = best.key();
        checks.add(pass(CANDIDATE_SELECTION, "chose " + candidate + " (rule " + best.promotionRule()
            + ") among eligible " + keys(eligible.stream().map(InstanceSnapshot::key).toList())));
        checks.addAll(candidateChecks(primary, best, limits));
      }
    }
    checks.add(primaryDml(primary, limits));
    checks.addAll(haproxyChecks(haproxyAnswers));
    return SwitchoverDecision.of(candidate, new PreCheckReport(checks));
  }

  /**
   * The checks on one candidate, in order: reachable, replicating from the primary, lag, no DDL,
   * no errant GTIDs, promotion rule. An unreachable candidate yields only the reachability check;
   * the errant check is skipped when the primary's GTID set is unknown.
   */
  public static List<CheckResult> candidateChecks(
      InstanceSnapshot primary, InstanceSnapshot candidate, SwitchoverLimits limits) {
    InstanceKey c = candidate.key();
    if (!candidate.reachable()) {
      return List.of(fail(CANDIDATE_REACHABLE, FailureType.CANDIDATE_UNREACHABLE,
          "candidate " + c + " is unreachable (" + Format.orNone(candidate.error())
              + "); check that it is up and that the worker can connect to it"));
    }
    List<CheckResult> out = new ArrayList<>();
    out.add(pass(CANDIDATE_REACHABLE, "candidate " + c + " is reachable"));
    out.add(replicating(primary.key(), candidate));
    out.add(lag(candidate, limits));
    out.add(candidate.ddlRunning()
        ? fail(CANDIDATE_NO_DDL, FailureType.DDL_RUNNING,
            "candidate " + c + " is running DDL; wait for it to finish and retry")
        : pass(CANDIDATE_NO_DDL, "no DDL running on " + c));
    if (primary.reachable() && primary.flavor() != null) {
      out.add(errant(primary, candidate));
    }
    out.add(candidate.promotionRule() == PromotionRule.MUST_NOT
        ? fail(CANDIDATE_PROMOTION_RULE, FailureType.PROMOTION_RULE_FORBIDS,
            "candidate " + c + " has promotion rule must_not; choose another replica or change its rule")
        : pass(CANDIDATE_PROMOTION_RULE, "candidate " + c + " has promotion rule " + candidate.promotionRule()));
    return out;
  }

  private static CheckResult primaryReachable(InstanceSnapshot p) {
    return p.reachable()
        ? pass(PRIMARY_REACHABLE, "primary " + p.key() + " is reachable")
        : fail(PRIMARY_REACHABLE, FailureType.PRIMARY_UNREACHABLE,
            "primary " + p.key() + " is unreachable (" + Format.orNone(p.error())
                + "); a planned switchover needs a live primary, use the unplanned failover if it is dead");
  }

  private static CheckResult replicating(InstanceKey primary, InstanceSnapshot s) {
    if (s.replicatesFrom(primary)) {
      return pass(CANDIDATE_REPLICATING, s.key() + " replicates from " + primary + ", both threads running");
    }
    var r = s.replication();
    String seen = r == null
        ? "it is not a replica"
        : "source " + r.sourceKey() + ", IO thread " + (r.ioThreadRunning() ? "running" : "not running")
            + ", SQL thread " + (r.sqlThreadRunning() ? "running" : "not running")
            + (r.errors().isEmpty() ? "" : ", " + r.errors());
    return fail(CANDIDATE_REPLICATING, FailureType.CANDIDATE_NOT_REPLICATING,
        "candidate " + s.key() + " is not replicating from primary " + primary + " (" + seen
            + "); fix replication from " + primary + " and retry");
  }

  private static CheckResult lag(InstanceSnapshot s, SwitchoverLimits limits) {
    Double lag = s.lagSeconds();
    if (lag == null) {
      return fail(CANDIDATE_LAG, FailureType.CANDIDATE_LAGGING,
          "candidate " + s.key() + " has no known lag (no pt-heartbeat reading, Seconds_Behind_Source is NULL);"
              + " check replication and pt-heartbeat on it");
    }
    String limit = Format.seconds(limits.maxLagSeconds());
    return lag > limits.maxLagSeconds()
        ? fail(CANDIDATE_LAG, FailureType.CANDIDATE_LAGGING,
            "candidate " + s.key() + " lags " + Format.seconds(lag) + " s behind the primary, over the "
                + limit + " s limit; wait for it to catch up and retry")
        : pass(CANDIDATE_LAG, "candidate " + s.key() + " lags " + Format.seconds(lag) + " s (limit " + limit + " s)");
  }

  private static CheckResult errant(InstanceSnapshot primary, InstanceSnapshot s) {
    try {
      GtidSet ahead = GtidSet.parse(primary.flavor(), s.gtidExecuted())
          .subtract(GtidSet.parse(primary.flavor(), primary.gtidExecuted()));
      // Under load the candidate may already hold the primary's newest transactions, read a moment
      // after the primary's own position: those are not errant, only what another server wrote is.
      GtidSet extra = primary.originId() == null ? ahead : ahead.subtract(ahead.originatedBy(primary.originId()));
      return extra.isEmpty()
          ? pass(CANDIDATE_NO_ERRANT_GTID, "every transaction of " + s.key() + " is on primary " + primary.key())
          : fail(CANDIDATE_NO_ERRANT_GTID, FailureType.ERRANT_GTID,
              "candidate " + s.key() + " has transactions the primary lacks: " + extra
                  + "; repair or re-clone it before switching over");
    } catch (IllegalArgumentException e) {
      return fail(CANDIDATE_NO_ERRANT_GTID, FailureType.ERRANT_GTID,
          "cannot compare the GTID sets of candidate " + s.key() + " and primary " + primary.key()
              + " (" + e.getMessage() + "); check both servers");
    }
  }

  private static CheckResult primaryDml(InstanceSnapshot p, SwitchoverLimits limits) {
    if (!p.reachable()) {
      return fail(PRIMARY_NO_LONG_DML, FailureType.PRIMARY_UNREACHABLE,
          "cannot read running DML on primary " + p.key() + ": it is unreachable");
    }
    return p.longestDmlSeconds() > limits.maxDmlSeconds()
        ? fail(PRIMARY_NO_LONG_DML, FailureType.LONG_RUNNING_DML,
            "primary " + p.key() + " has a DML running for " + p.longestDmlSeconds() + " s, over the "
                + limits.maxDmlSeconds() + " s limit; let it finish or kill it, then retry")
        : pass(PRIMARY_NO_LONG_DML, "longest DML on primary " + p.key() + " is " + p.longestDmlSeconds()
            + " s (limit " + limits.maxDmlSeconds() + " s)");
  }

  private static List<CheckResult> haproxyChecks(Map<String, Boolean> answers) {
    if (answers == null || answers.isEmpty()) {
      return List.of(pass(HAPROXY_PREFIX, "no remote HAProxy configured"));
    }
    return new TreeMap<>(answers).entrySet().stream()
        .map(e -> Boolean.TRUE.equals(e.getValue())
            ? pass(HAPROXY_PREFIX + ":" + e.getKey(), "HAProxy " + e.getKey() + " answered on its admin socket")
            : fail(HAPROXY_PREFIX + ":" + e.getKey(), FailureType.HAPROXY_UNREACHABLE,
                "HAProxy " + e.getKey() + " did not answer on its admin socket; fix it so its writer backend"
                    + " can be repointed, then retry"))
        .toList();
  }

  private static String keys(java.util.Collection<InstanceKey> keys) {
    return keys.isEmpty() ? "none" : keys.stream().map(InstanceKey::toString).collect(Collectors.joining(", "));
  }

  private static String describe(Map<String, String> reasons) {
    return reasons.entrySet().stream().map(e -> e.getKey() + " (" + e.getValue() + ")")
        .collect(Collectors.joining("; "));
  }
}
