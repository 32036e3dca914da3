package io.lightbridge.bench.measure;

import io.lightbridge.bench.load.LoadResult;

/**
 * One repetition of one load level against one target: the raw record the summary is computed from.
 *
 * @param phase         "closed" (wrk, peak) or "open" (constant rate)
 * @param percentOfPeak open loop: the offered rate as a percentage of the target's measured peak; 0 for closed
 */
public record Run(String scenario, String target, String peer, String phase, int repetition, int connections,
                  double percentOfPeak, LoadResult load, ProcessUsage usage) {}
