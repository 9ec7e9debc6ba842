package dev.handoff.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Arrays;
import java.util.Comparator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PromotionRuleTest {

  @ParameterizedTest
  @CsvSource({"prefer, PREFER", "neutral, NEUTRAL", "must_not, MUST_NOT", "MUST-NOT, MUST_NOT", " Prefer , PREFER"})
  void parsesConfigSpelling(String text, PromotionRule expected) {
    assertThat(PromotionRule.fromString(text)).isEqualTo(expected);
  }

  @Test
  void refusesUnknownNamingIt() {
    assertThatThrownBy(() -> PromotionRule.fromString("always"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'always'")
        .hasMessageContaining("prefer, neutral or must_not");
    assertThatThrownBy(() -> PromotionRule.fromString(null)).hasMessageContaining("'null'");
  }

  @Test
  void ranksPreferBeforeNeutralAndMustNotNeverPromotable() {
    assertThat(Arrays.stream(PromotionRule.values()).sorted(Comparator.comparingInt(PromotionRule::rank)))
        .containsExactly(PromotionRule.PREFER, PromotionRule.NEUTRAL, PromotionRule.MUST_NOT);
    assertThat(PromotionRule.PREFER.promotable()).isTrue();
    assertThat(PromotionRule.NEUTRAL.promotable()).isTrue();
    assertThat(PromotionRule.MUST_NOT.promotable()).isFalse();
    assertThat(PromotionRule.MUST_NOT).hasToString("must_not");
  }

  @Test
  void jsonIsTheConfigSpellingBothWays() throws Exception {
    ObjectMapper json = new ObjectMapper();
    assertThat(json.writeValueAsString(PromotionRule.MUST_NOT)).isEqualTo("\"must_not\"");
    assertThat(json.writeValueAsString(PromotionRule.PREFER)).isEqualTo("\"prefer\"");
    assertThat(json.readValue("\"Must-Not\"", PromotionRule.class)).isEqualTo(PromotionRule.MUST_NOT);
    assertThat(json.readValue("\"neutral\"", PromotionRule.class)).isEqualTo(PromotionRule.NEUTRAL);
  }
}
