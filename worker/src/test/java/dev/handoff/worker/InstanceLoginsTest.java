package dev.handoff.worker;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.handoff.config.ConfigFiles;
import dev.handoff.config.HandoffConfig;
import dev.handoff.worker.InstanceLogins.Login;
import dev.handoff.worker.InstanceLogins.Outcome;
import java.lang.reflect.Proxy;
import java.net.ConnectException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class InstanceLoginsTest {
  private static final String PASSWORD = "s3cret-Adm1n";
  @TempDir
  Path tmp;
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Logger logger = (Logger) LoggerFactory.getLogger(InstanceLogins.class);

  @BeforeEach
  void capture() {
    logs.start();
    logger.addAppender(logs);
  }

  @AfterEach
  void release() {
    logger.detachAppender(logs);
  }

  private HandoffConfig config(String flavor) throws Exception {
    Files.writeString(tmp.resolve("admin"), PASSWORD);
    return ConfigFiles.load(Files.writeString(tmp.resolve("handoff.yml"), """
        temporal: {target: 127.0.0.1:7233}
        kv: {type: etcd, endpoints: [http://127.0.0.1:2379]}
        credentials:
          admin: {user: handoff_admin, password: {file: %s}}
          replication: {user: handoff_repl, password: {file: %s}}
          heartbeat: {user: handoff_heartbeat, password: {file: %s}}
        clusters:
          - name: c1
            flavor: %s
            instances:
              - {host: 127.0.0.1, port: 3306}
              - {host: 127.0.0.1, port: 3307}
              - {host: 127.0.0.1, port: 3308}
            heartbeat: {runDir: /tmp/hb}
        """.formatted(tmp.resolve("admin"), tmp.resolve("admin"), tmp.resolve("admin"), flavor)));
  }

  /** 3306 refuses the password, 3307 is down, 3308 answers with {@code version}. */
  private static InstanceLogins.Connector lab(String version) {
    return (i, admin) -> switch (i.port()) {
      case 3306 -> throw new SQLException("Access denied for user '" + admin.user() + "'@'127.0.0.1' (using password:"
          + " YES)", "28000", 1045);
      case 3307 -> throw new SQLNonTransientConnectionException("Could not create connection to database server",
          "08001", 0, new ConnectException("Connection refused"));
      default -> connection(version);
    };
  }

  @Test
  void aRefusedLoginIsAnErrorNamingTheInstanceAndTheUserNeverThePassword() throws Exception {
    List<Login> logins = InstanceLogins.check(config("mariadb"), lab("10.11.6-MariaDB-0+deb12u1"));
    assertThat(logins.get(2).flavorProblem()).isNull();

    assertThat(logins).extracting(Login::outcome)
        .containsExactly(Outcome.ACCESS_DENIED, Outcome.UNREACHABLE, Outcome.OK);
    List<ILoggingEvent> errors = logs.list.stream().filter(e -> e.getLevel() == Level.ERROR).toList();
    assertThat(errors).hasSize(1);
    assertThat(errors.get(0).getFormattedMessage())
        .contains("Access denied for user 'handoff_admin'@'127.0.0.1'")
        .contains("at 127.0.0.1:3306")
        .contains("as handoff_admin")
        .contains("credentials.admin")
        .doesNotContain(PASSWORD);
    assertThat(logs.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage))
        .singleElement().asString().contains("cannot reach 127.0.0.1:3307").contains("may be down");
    assertThat(logs.list.stream().filter(e -> e.getLevel() == Level.INFO).map(ILoggingEvent::getFormattedMessage))
        .singleElement().asString().contains("logged in to 127.0.0.1:3308 as handoff_admin");
    assertThat(logs.list).extracting(ILoggingEvent::getFormattedMessage).noneMatch(m -> m.contains(PASSWORD));
  }

  @Test
  void aDriverThatEchoesThePasswordIsScrubbed() throws Exception {
    HandoffConfig c = config("mariadb");
    Login l = InstanceLogins.login(c.clusters().get(0), c.clusters().get(0).instances().get(0),
        c.credentials().admin(), (i, admin) -> {
          throw new SQLException("Access denied (password " + PASSWORD + ")", "28000", 1045);
        });
    assertThat(l.outcome()).isEqualTo(Outcome.ACCESS_DENIED);
    assertThat(l.message()).doesNotContain(PASSWORD).contains("****");
  }

  @Test
  void aConfiguredFlavorTheServerDisagreesWithIsNamedAtLogin() throws Exception {
    List<Login> logins = InstanceLogins.check(config("mysql"), lab("10.11.6-MariaDB-0+deb12u1"));
    assertThat(logins.get(0).flavorProblem()).isNull();
    assertThat(logins.get(2).flavorProblem()).contains("the configuration says flavor mysql")
        .contains("127.0.0.1:3308 reports @@version 10.11.6-MariaDB-0+deb12u1").contains("Handoff uses mariadb");
  }

  /** A connection whose only query, SELECT @@version, answers {@code version}. */
  static Connection connection(String version) {
    ResultSet rs = proxy(ResultSet.class, (m, args) -> switch (m) {
      case "next" -> true;
      case "getString" -> version;
      default -> null;
    });
    Statement st = proxy(Statement.class, (m, args) -> m.equals("executeQuery") ? rs : null);
    return proxy(Connection.class, (m, args) -> m.equals("createStatement") ? st : null);
  }

  interface Answer {
    Object answer(String method, Object[] args);
  }

  @SuppressWarnings("unchecked")
  static <T> T proxy(Class<T> type, Answer a) {
    return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
        (p, m, args) -> m.getName().equals("close") ? null : a.answer(m.getName(), args));
  }
}
