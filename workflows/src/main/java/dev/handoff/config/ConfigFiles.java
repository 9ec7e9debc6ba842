package dev.handoff.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.stream.Collectors;

/** Reads and writes {@code handoff.yml}, and finds it: --config, then $HANDOFF_CONFIG, then ./handoff.yml. */
public final class ConfigFiles {
  public static final String ENV = "HANDOFF_CONFIG";
  public static final String DEFAULT_NAME = "handoff.yml";

  private static final ObjectMapper YAML = new ObjectMapper(
      new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
          .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES))
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

  private ConfigFiles() {}

  /** The file to read: the explicit one, else $HANDOFF_CONFIG, else ./handoff.yml. */
  public static Path locate(Path explicit) {
    if (explicit != null) {
      return explicit;
    }
    String env = System.getenv(ENV);
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    return Path.of(DEFAULT_NAME);
  }

  /** Loads and validates; any problem becomes one ConfigException listing every bad field. */
  public static HandoffConfig load(Path file) {
    HandoffConfig config;
    try {
      config = YAML.readValue(Files.readString(file), HandoffConfig.class);
    } catch (NoSuchFileException e) {
      throw new ConfigException(file + ": no such file; pass --config FILE or set " + ENV
          + " (./handoff lab up writes one and prints the export line)");
    } catch (UnrecognizedPropertyException e) {
      throw new ConfigException(file + ": unknown field '" + e.getPropertyName() + "' at "
          + path(e) + "; known fields: " + e.getKnownPropertyIds());
    } catch (MismatchedInputException e) {
      // The message never repeats the value: it may be a password written inline by mistake.
      Class<?> target = e.getTargetType();
      String expected = target == SecretRef.class
          ? "a secret reference {env: VARIABLE} or {file: PATH}; inline secrets are not allowed"
          : "a value of type " + (target == null ? "?" : target.getSimpleName());
      throw new ConfigException(file + ": bad value at " + path(e) + ": expected " + expected);
    } catch (JsonMappingException e) {
      throw new ConfigException(file + ": bad value at " + path(e) + " (line "
          + (e.getLocation() == null ? "?" : e.getLocation().getLineNr()) + ")");
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot read: " + e.getMessage());
    }
    if (config == null) {
      throw new ConfigException(file + ": the file is empty");
    }
    var problems = config.problems();
    if (!problems.isEmpty()) {
      throw new ConfigException(file + " is not valid:\n  - " + String.join("\n  - ", problems));
    }
    return config;
  }

  public static void write(HandoffConfig config, Path file) throws IOException {
    Files.writeString(file, YAML.writeValueAsString(config));
  }

  private static String path(JsonMappingException e) {
    return e.getPath().stream()
        .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
        .collect(Collectors.joining(".")).replace(".[", "[");
  }
}
