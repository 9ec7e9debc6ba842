package dev.handoff.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.handoff.config.SecretRef;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretsTest {
  @TempDir
  Path tmp;

  @Test
  void anUnreadableSecretNamesTheReferenceNotAValue() {
    SecretRef missing = new SecretRef("HANDOFF_TEST_SURELY_UNSET_VARIABLE", null);
    assertThatThrownBy(() -> Secrets.resolve(missing)).hasMessageContaining("HANDOFF_TEST_SURELY_UNSET_VARIABLE");
  }

  @Test
  void aFileSecretIsReadStripped() throws Exception {
    Path f = Files.writeString(tmp.resolve("pw"), "s3cret\n");
    SecretRef ref = SecretRef.ofFile(f);
    assertThat(Secrets.resolve(ref)).isEqualTo("s3cret");
  }
}
