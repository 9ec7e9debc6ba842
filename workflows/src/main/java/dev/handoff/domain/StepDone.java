package dev.handoff.domain;

/**
 * The result of an activity whose answer is only what it found and did, in words for the operator (no data a
 * workflow decides on; an activity with such data returns its own record). Never holds a credential.
 */
public record StepDone(String detail) {
}
