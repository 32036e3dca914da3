package io.lightbridge.protocol.mlflow;

import java.util.List;

/**
 * A pandas-style DataFrame as MLflow's scoring formats carry it: column names and rows of JSON-ish values
 * (Double, Long, Boolean, String, or null).
 */
record Frame(List<String> columns, List<List<Object>> rows) {}
