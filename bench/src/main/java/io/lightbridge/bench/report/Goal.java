package io.lightbridge.bench.report;

/**
 * One goal of issue 6 checked against this run's numbers.
 *
 * @param target   the goal as the issue states it, e.g. "noop via pool ≥ 0.9× static (a) at 16 connections"
 * @param measured what this run measured, with the numbers it came from
 * @param met      whether the goal is met
 * @param shortfall when missed, by how much (empty when met)
 */
public record Goal(String scenario, String target, String measured, boolean met, String shortfall) {}
