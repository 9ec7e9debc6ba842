package dev.handoff.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** What one HAProxy routes for a cluster: the instances its writer and reader backends serve. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RouteStatus(String haproxy, String tier, List<String> writers, List<String> readers, String error) {}
