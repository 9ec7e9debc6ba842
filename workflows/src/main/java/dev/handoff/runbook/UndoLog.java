package dev.handoff.runbook;

import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.Workflow;
import java.util.ArrayList;
import java.util.List;

/**
 * The undo of each change a runbook made before its point of no return, registered before the change
 * runs. {@link #undoAll} runs them newest first and goes on past a failed undo, so the old primary is made
 * writable again even when the candidate cannot be repaired. Workflow-side only.
 */
public final class UndoLog {
  private record Undo(String what, Runnable action) {}

  private final List<Undo> undos = new ArrayList<>();

  public void register(String what, Runnable action) {
    undos.add(new Undo(what, action));
  }

  /** Runs every undo, newest first, in a scope a cancellation cannot stop; returns the ones that failed. */
  public List<String> undoAll() {
    List<String> failed = new ArrayList<>();
    Workflow.newDetachedCancellationScope(() -> {
      for (int i = undos.size() - 1; i >= 0; i--) {
        Undo u = undos.get(i);
        try {
          u.action().run();
        } catch (TemporalFailure e) {
          failed.add(u.what() + ": " + RunbookSteps.message(e));
        }
      }
    }).run();
    return failed;
  }
}
