package dev.handoff.domain;

import io.temporal.api.common.v1.Payload;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DefaultDataConverter;
import java.nio.charset.StandardCharsets;

/** Test helper: passes values through Temporal's default data converter, as workflow inputs and results are. */
public final class TemporalJson {
  public static final DataConverter CONVERTER = DefaultDataConverter.newDefaultInstance();

  private TemporalJson() {}

  /** Serializes and deserializes {@code value} as its own class. */
  @SuppressWarnings("unchecked")
  public static <T> T roundTrip(T value) {
    Payload p = CONVERTER.toPayload(value).orElseThrow();
    return (T) CONVERTER.fromPayload(p, value.getClass(), value.getClass());
  }

  /** The JSON text Temporal would store. */
  public static String json(Object value) {
    return CONVERTER.toPayload(value).orElseThrow().getData().toString(StandardCharsets.UTF_8);
  }
}
