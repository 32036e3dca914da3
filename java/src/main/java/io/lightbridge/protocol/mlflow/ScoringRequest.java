package io.lightbridge.protocol.mlflow;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lightbridge.model.ModelCallException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An MLflow scoring request (the formats of {@code mlflow models serve} and Databricks Model Serving), decoded into
 * either a DataFrame ({@code dataframe_split}, {@code dataframe_records}, text/csv) or tensors ({@code instances},
 * {@code inputs}): exactly one of the four keys, plus optional {@code params}.
 *
 * @param frame   set for DataFrame input
 * @param tensors set for tensor input: name → nested JSON array; a single unnamed tensor has the name ""
 */
record ScoringRequest(Frame frame, Map<String, JsonNode> tensors) {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> FORMATS = Set.of("dataframe_split", "dataframe_records", "instances", "inputs");

    static ScoringRequest json(byte[] body) throws ModelCallException {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw ModelCallException.badInput("request body is not valid JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw ModelCallException.badInput("request body cannot be read: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw ModelCallException.badInput("request body must be a JSON object with one of " + sorted());
        }
        String format = null;
        for (var it = root.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (FORMATS.contains(key)) {
                if (format != null) {
                    throw ModelCallException.badInput("the request has both '" + format + "' and '" + key
                            + "'; give exactly one of " + sorted());
                }
                format = key;
            } else if (!key.equals("params")) {
                throw ModelCallException.badInput("unknown key '" + key + "'; give exactly one of " + sorted()
                        + " (and optionally params)");
            }
        }
        if (format == null) {
            throw ModelCallException.badInput("the request has none of " + sorted());
        }
        JsonNode params = root.get("params");
        if (params != null && !params.isObject()) {
            throw ModelCallException.badInput("'params' must be an object");
        }
        JsonNode value = root.get(format);
        return switch (format) {
            case "dataframe_split" -> new ScoringRequest(split(value), null);
            case "dataframe_records" -> new ScoringRequest(records(value), null);
            default -> new ScoringRequest(null, tensors(format, value));
        };
    }

    private static List<String> sorted() {
        return List.of("dataframe_split", "dataframe_records", "instances", "inputs");
    }

    private static Frame split(JsonNode v) throws ModelCallException {
        if (!v.isObject() || !v.path("data").isArray()) {
            throw ModelCallException.badInput("dataframe_split must be an object with \"data\" (and \"columns\")");
        }
        JsonNode data = v.get("data");
        var rows = new ArrayList<List<Object>>();
        int width = -1;
        for (JsonNode row : data) {
            List<Object> values = new ArrayList<>();
            if (row.isArray()) {
                for (JsonNode cell : row) {
                    values.add(scalar(cell, "dataframe_split.data"));
                }
            } else {
                values.add(scalar(row, "dataframe_split.data"));
            }
            if (width >= 0 && values.size() != width) {
                throw ModelCallException.badInput("dataframe_split.data rows have " + width + " and " + values.size()
                        + " values; every row needs one per column");
            }
            width = values.size();
            rows.add(values);
        }
        var columns = new ArrayList<String>();
        JsonNode cols = v.get("columns");
        if (cols != null && cols.isArray()) {
            cols.forEach(c -> columns.add(c.asText()));
        } else {
            for (int i = 0; i < Math.max(width, 0); i++) {
                columns.add(Integer.toString(i));
            }
        }
        if (width >= 0 && columns.size() != width) {
            throw ModelCallException.badInput("dataframe_split has " + columns.size() + " columns but rows of "
                    + width + " values");
        }
        return new Frame(columns, rows);
    }

    private static Frame records(JsonNode v) throws ModelCallException {
        if (!v.isArray()) {
            throw ModelCallException.badInput("dataframe_records must be an array of objects");
        }
        var columns = new ArrayList<String>();
        for (JsonNode rec : v) {
            if (!rec.isObject()) {
                throw ModelCallException.badInput("dataframe_records must be an array of objects");
            }
            rec.fieldNames().forEachRemaining(k -> {
                if (!columns.contains(k)) {
                    columns.add(k);
                }
            });
        }
        var rows = new ArrayList<List<Object>>();
        for (JsonNode rec : v) {
            var values = new ArrayList<Object>(columns.size());
            for (String c : columns) {
                values.add(rec.has(c) ? scalar(rec.get(c), "dataframe_records") : null);
            }
            rows.add(values);
        }
        return new Frame(columns, rows);
    }

    private static Map<String, JsonNode> tensors(String format, JsonNode v) throws ModelCallException {
        var out = new LinkedHashMap<String, JsonNode>();
        if (v.isObject()) {
            v.properties().forEach(e -> out.put(e.getKey(), e.getValue()));
        } else if (v.isArray() && !v.isEmpty() && v.get(0).isObject()) {
            // instances as a list of {input: value} rows (TF Serving's row format): one tensor per key
            for (JsonNode row : v) {
                if (!row.isObject()) {
                    throw ModelCallException.badInput(format + " mixes objects and values");
                }
                row.properties().forEach(e -> {
                    JsonNode list = out.computeIfAbsent(e.getKey(), k -> JSON.createArrayNode());
                    ((com.fasterxml.jackson.databind.node.ArrayNode) list).add(e.getValue());
                });
            }
        } else if (v.isArray()) {
            out.put("", v);
        } else {
            throw ModelCallException.badInput(format + " must be an array or an object of named arrays");
        }
        return out;
    }

    private static Object scalar(JsonNode cell, String where) throws ModelCallException {
        if (cell.isNull()) {
            return null;
        }
        if (cell.isIntegralNumber() && cell.canConvertToLong()) {
            return cell.asLong();
        }
        if (cell.isNumber()) {
            return cell.asDouble();
        }
        if (cell.isBoolean()) {
            return cell.asBoolean();
        }
        if (cell.isTextual()) {
            return cell.asText();
        }
        throw ModelCallException.badInput(where + " holds a nested " + cell.getNodeType().name().toLowerCase(java.util.Locale.ROOT)
                + "; DataFrame cells are numbers, booleans or strings");
    }

    /** text/csv as pandas.read_csv reads it: a header row of column names, then one row per record. */
    static ScoringRequest csv(byte[] body) throws ModelCallException {
        String text = new String(body, java.nio.charset.StandardCharsets.UTF_8);
        List<List<String>> lines = Csv.parse(text);
        if (lines.isEmpty()) {
            throw ModelCallException.badInput("text/csv body has no header row");
        }
        List<String> columns = lines.getFirst();
        var rows = new ArrayList<List<Object>>();
        for (int i = 1; i < lines.size(); i++) {
            List<String> cells = lines.get(i);
            if (cells.size() != columns.size()) {
                throw ModelCallException.badInput("text/csv row " + i + " has " + cells.size() + " values, the header "
                        + columns.size() + " columns");
            }
            var values = new ArrayList<Object>(cells.size());
            for (String c : cells) {
                values.add(csvValue(c));
            }
            rows.add(values);
        }
        return new ScoringRequest(new Frame(columns, rows), null);
    }

    private static Object csvValue(String c) {
        String t = c.trim();
        if (t.isEmpty()) {
            return null;
        }
        try {
            return Long.parseLong(t);
        } catch (NumberFormatException e) {
            try {
                return Double.parseDouble(t);
            } catch (NumberFormatException e2) {
                return switch (t) {
                    case "True", "true" -> Boolean.TRUE;
                    case "False", "false" -> Boolean.FALSE;
                    default -> c;
                };
            }
        }
    }
}
