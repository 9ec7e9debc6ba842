package dev.handoff.lab;

import dev.handoff.config.Credential;
import dev.handoff.mysql.Db;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A client writing through a frontend every few milliseconds, as an application would: autocommit
 * inserts of increasing ids, reconnecting after any error. It records the ids the server acknowledged,
 * so a test can prove none was lost, and when each acknowledgement arrived, so the longest gap between
 * two acknowledgements measures the write outage.
 */
public final class WriteLoad implements AutoCloseable {
  public static final String TABLE = Lab.APP_DATABASE + ".handoff_writes";
  private final String target;
  private final Credential credential;
  private final long intervalMillis;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicLong nextId;
  private final ConcurrentLinkedQueue<Long> acked = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<long[]> ackTimes = new ConcurrentLinkedQueue<>();
  private final AtomicLong failures = new AtomicLong();
  private final Thread thread;

  /** Creates the table if needed (through the target) and starts writing. */
  public static WriteLoad start(String target, Credential credential, long intervalMillis, long firstId)
      throws SQLException {
    try (Connection c = Db.connect(target, credential, 2000); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " (id BIGINT PRIMARY KEY, at TIMESTAMP(6) NOT NULL)");
    }
    return new WriteLoad(target, credential, intervalMillis, firstId);
  }

  private WriteLoad(String target, Credential credential, long intervalMillis, long firstId) {
    this.target = target;
    this.credential = credential;
    this.intervalMillis = intervalMillis;
    this.nextId = new AtomicLong(firstId);
    this.thread = new Thread(this::loop, "write-load-" + target);
    thread.setDaemon(true);
    thread.start();
  }

  private void loop() {
    Connection c = null;
    while (running.get()) {
      long id = nextId.get();
      try {
        if (c == null) {
          c = Db.connect(target, credential, 500);
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + TABLE + " (id, at) VALUES (?, NOW(6))")) {
          ps.setLong(1, id);
          ps.executeUpdate();
        }
        acked.add(id);
        ackTimes.add(new long[] {id, System.nanoTime()});
        nextId.incrementAndGet();
      } catch (SQLException e) {
        failures.incrementAndGet();
        if (e.getErrorCode() == 1062) {
          // Duplicate key: the insert committed but its OK was lost with the connection. Not acknowledged.
          nextId.incrementAndGet();
        }
        close(c);
        c = null;
      }
      pause(intervalMillis);
    }
    close(c);
  }

  /** Stops writing and waits for the writer thread. */
  @Override
  public void close() {
    running.set(false);
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public List<Long> acknowledged() {
    return new ArrayList<>(acked);
  }

  public long failures() {
    return failures.get();
  }

  public long nextId() {
    return nextId.get();
  }

  /** The longest time between two consecutive acknowledgements since {@code sinceNanos}, in milliseconds. */
  public double longestGapMillis(long sinceNanos) {
    return longestGapMillisExcluding(sinceNanos, 0, 0);
  }


  /**
   * As {@link #longestGapMillis(long)}, not counting the part of a gap that falls between
   * {@code excludeFrom} and {@code excludeTo} (a pause a test itself imposed).
   */
  public double longestGapMillisExcluding(long sinceNanos, long excludeFrom, long excludeTo) {
    long prev = -1;
    long longest = 0;
    for (long[] a : ackTimes) {
      if (a[1] < sinceNanos) {
        prev = a[1];
        continue;
      }
      if (prev >= 0) {
        long overlap = Math.max(0, Math.min(a[1], excludeTo) - Math.max(prev, excludeFrom));
        longest = Math.max(longest, a[1] - prev - overlap);
      }
      prev = a[1];
    }
    return longest / 1e6;
  }

  /**
   * When writes resumed after an outage that began after {@code sinceNanos}: the {@link System#nanoTime()}
   * of the acknowledgement that ended the longest gap since then; -1 when no gap ended (nothing acknowledged).
   */
  public long resumedAtNanos(long sinceNanos) {
    long prev = sinceNanos;
    long longest = -1;
    long end = -1;
    for (long[] a : ackTimes) {
      if (a[1] < sinceNanos) {
        continue;
      }
      if (a[1] - prev > longest) {
        longest = a[1] - prev;
        end = a[1];
      }
      prev = a[1];
    }
    return end;
  }

  /** Waits until at least {@code count} more writes are acknowledged, up to the timeout. */
  public boolean awaitAcks(int count, long timeoutMillis) {
    int target = acked.size() + count;
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
    while (acked.size() < target) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      pause(5);
    }
    return true;
  }

  /** The acknowledged ids that {@code instance} does not have. */
  public static Set<Long> missing(Connection instance, List<Long> acknowledged) throws SQLException {
    Set<Long> present = new HashSet<>();
    try (Statement st = instance.createStatement(); ResultSet rs = st.executeQuery("SELECT id FROM " + TABLE)) {
      while (rs.next()) {
        present.add(rs.getLong(1));
      }
    }
    Set<Long> missing = new HashSet<>(acknowledged);
    missing.removeAll(present);
    return missing;
  }

  private static void close(Connection c) {
    if (c != null) {
      try {
        c.close();
      } catch (SQLException ignored) {
        // a broken connection has nothing left to lose
      }
    }
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
