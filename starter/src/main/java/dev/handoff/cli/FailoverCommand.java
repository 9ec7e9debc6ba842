package dev.handoff.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * {@code handoff failover ...}, the commands' old names, hidden: each says which command to use now and exits
 * {@link #RENAMED} with nothing done.
 */
@Command(name = "failover", hidden = true)
final class FailoverCommand implements Callable<Integer> {
  /** Exit code of a command under its old name. */
  static final int RENAMED = 2;

  /** The old names of {@code handoff failover}'s subcommands, in the order its usage lists them. */
  static final List<OldName> OLD_NAMES = List.of(
      new OldName("planned", "switchover"),
      new OldName("unplanned", "recovery start"),
      new OldName("status", "runbook status"),
      new OldName("retry", "runbook retry"),
      new OldName("abandon", "runbook abandon"));

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

  /** A subcommand's old name, and the command (below {@code handoff}) it is now. */
  record OldName(String name, String now) {}

  /** Adds each old name under {@code parent} as an {@link Old} command; a hidden one is left out of the usage. */
  static void addOldNames(CommandLine parent, List<OldName> names, boolean hidden) {
    for (OldName n : names) {
      CommandLine old = new CommandLine(new Old(n.now()));
      old.getCommandSpec().usageMessage().hidden(hidden);
      parent.addSubcommand(n.name(), old);
    }
  }

  /** A command under its old name: any arguments are taken, none is acted on. */
  @Command
  static final class Old implements Callable<Integer> {
    private final String now;

    @Unmatched
    List<String> args = new ArrayList<>();

    @Spec
    CommandSpec spec;

    Old(String now) {
      this.now = now;
    }

    @Override
    public Integer call() {
      return renamed(spec.qualifiedName(" ").replaceFirst("^handoff ", ""), now, args);
    }
  }
}
