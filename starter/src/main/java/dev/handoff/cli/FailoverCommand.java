package dev.handoff.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * {@code handoff failover ...}, the commands' old names, hidden: each says which command to use now and exits
 * {@link #RENAMED} with nothing done.
 */
@Command(name = "failover", hidden = true,
    subcommands = {FailoverCommand.Planned.class, FailoverCommand.Unplanned.class, FailoverCommand.Status.class,
        FailoverCommand.Retry.class, FailoverCommand.Abandon.class})
final class FailoverCommand implements Callable<Integer> {
  /** Exit code of a command under its old name. */
  static final int RENAMED = 2;

  @Unmatched
  List<String> rest = new ArrayList<>();

  @Override
  public Integer call() {
    System.err.println("error: `handoff failover` is renamed: ./handoff switchover (was failover planned), ./handoff"
        + " recovery start (was failover unplanned), ./handoff runbook status|retry|abandon; nothing was done");
    return RENAMED;
  }

  /** Says what the old command is called now (with the arguments it was given) and returns {@link #RENAMED}. */
  static int renamed(String old, String now, List<String> args) {
    System.err.println("error: `handoff " + old + "` is now `handoff " + now + "`: run ./handoff " + now
        + (args.isEmpty() ? "" : " " + String.join(" ", args)) + "; nothing was done");
    return RENAMED;
  }

  /** A command under its old name: any arguments are taken, none is acted on. */
  abstract static class Old implements Callable<Integer> {
    @Unmatched
    List<String> args = new ArrayList<>();

    @Spec
    CommandSpec spec;

    abstract String now();

    @Override
    public Integer call() {
      return renamed(spec.qualifiedName(" ").replaceFirst("^handoff ", ""), now(), args);
    }
  }

  @Command(name = "planned")
  static final class Planned extends Old {
    @Override
    String now() {
      return "switchover";
    }
  }

  @Command(name = "unplanned")
  static final class Unplanned extends Old {
    @Override
    String now() {
      return "recovery start";
    }
  }

  @Command(name = "status")
  static final class Status extends Old {
    @Override
    String now() {
      return "runbook status";
    }
  }

  @Command(name = "retry")
  static final class Retry extends Old {
    @Override
    String now() {
      return "runbook retry";
    }
  }

  @Command(name = "abandon")
  static final class Abandon extends Old {
    @Override
    String now() {
      return "runbook abandon";
    }
  }
}
