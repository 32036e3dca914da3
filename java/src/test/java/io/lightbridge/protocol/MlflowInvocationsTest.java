package io.lightbridge.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lightbridge.pipeline.Response;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** MLflow scoring and Databricks serving-endpoint invocations: formats, conversions and error paths. */
class MlflowInvocationsTest {

    @TempDir
    static Path tmp;
    private static ModelPipeline served;

    @BeforeAll
    static void open() throws Exception {
        Path repo = ModelPipeline.repositoryWith(tmp, "breast-cancer", "two-columns", "gather", "identity-all-types");
        served = new ModelPipeline(ModelPipeline.config(repo).withDefaultModel("two-columns").withMaxRequestBytes(10_000));
    }

    @AfterAll
    static void close() {
        served.close();
    }

    private static void assertError(Response r, int status, String fragment) {
        assertEquals(status, r.status(), r.bodyText());
        String error = ModelPipeline.json(r).get("error").asText();
        assertTrue(error.contains(fragment), "error '" + error + "' should mention '" + fragment + "'");
    }

    @Test
    void dataFrameColumnsFeedOneInputPerColumnOfAMultiInputModel() {
        Response r = served.call("POST", "/invocations",
                "{\"dataframe_split\":{\"columns\":[\"b\",\"a\",\"extra\"],\"data\":[[1,2,9],[0.5,0.25,9]]}}");
        assertEquals(200, r.status(), r.bodyText());
        assertEquals("{\"predictions\":[{\"sum\":3.0},{\"sum\":0.75}]}", r.bodyText());
        assertEquals("1", r.header("X-Model-Version"));
        Response records = served.call("POST", "/invocations", "{\"dataframe_records\":[{\"a\":1,\"b\":2}],\"params\":{\"k\":1}}");
        assertEquals("{\"predictions\":[{\"sum\":3.0}]}", records.bodyText());
    }

    @Test
    void namedTensorInputsAndInstanceRows() {
        Response inputs = served.call("POST", "/invocations", "{\"inputs\":{\"a\":[1,2],\"b\":[10,20]}}");
        assertEquals("{\"predictions\":{\"sum\":[11.0,22.0]}}", inputs.bodyText());
        Response rows = served.call("POST", "/invocations", "{\"instances\":[{\"a\":1,\"b\":10},{\"a\":2,\"b\":20}]}");
        assertEquals("{\"predictions\":{\"sum\":[11.0,22.0]}}", rows.bodyText());
    }

    @Test
    void float64ValuesAreCastToTheModelsFloat32AndIntegersStayExact() {
        Response r = served.call("POST", "/serving-endpoints/gather/invocations", "{\"inputs\":[2,1]}");
        assertEquals("{\"predictions\":{\"y\":[30.0,20.0]}}", r.bodyText());
        assertError(served.call("POST", "/serving-endpoints/gather/invocations", "{\"inputs\":[0.5]}"), 400,
                "expected an integer for INT64, got 0.5");
        assertError(served.call("POST", "/serving-endpoints/gather/invocations", "{\"inputs\":[99999999999999999999]}"), 400,
                "99999999999999999999 is out of range for INT64");
    }

    @Test
    void exactlyOneFormatKey() {
        assertError(served.call("POST", "/invocations", "{\"inputs\":[1],\"instances\":[1]}"), 400, "give exactly one of");
        assertError(served.call("POST", "/invocations", "{\"params\":{}}"), 400, "the request has none of");
        assertError(served.call("POST", "/invocations", "{\"data\":[1]}"), 400, "unknown key 'data'");
        assertError(served.call("POST", "/invocations", "[1,2]"), 400, "must be a JSON object");
        assertError(served.call("POST", "/invocations", "{\"inputs\":[1],\"params\":3}"), 400, "'params' must be an object");
    }

    @Test
    void inputErrorsNameTheInput() {
        assertError(served.call("POST", "/invocations", "{\"dataframe_split\":{\"columns\":[\"a\"],\"data\":[[1]]}}"), 400,
                "input 'b' has no column in the DataFrame");
        assertError(served.call("POST", "/invocations", "{\"inputs\":[1,2]}"), 400, "takes 2 inputs [a, b]; name them");
        assertError(served.call("POST", "/invocations", "{\"inputs\":{\"a\":[1],\"c\":[2]}}"), 400, "input 'c' is not an input");
        assertError(served.call("POST", "/invocations", "{\"inputs\":{\"a\":[1],\"b\":[[2]]}}"), 400, "input 'b' has rank 2");
        assertError(served.call("POST", "/invocations", "{\"inputs\":{\"a\":[1],\"b\":[\"x\"]}}"), 400,
                "input 'b' expected a FP32 number, got a string");
        assertError(served.call("POST", "/invocations", "{\"dataframe_records\":[{\"a\":1,\"b\":2},{\"a\":1}]}"), 400,
                "input 'b': row 1, column 'b' is empty");
        assertError(served.call("POST", "/serving-endpoints/breast-cancer/invocations", "{\"instances\":[[1,2],[3]]}"), 400,
                "input 'input' is not a rectangular array");
        assertError(served.call("POST", "/serving-endpoints/breast-cancer/invocations",
                "{\"dataframe_split\":{\"columns\":[\"x\"],\"data\":[[1]]}}"), 400, "input 'input' has shape [1, 1], expected [-1, 30]");
    }

    @Test
    void csvAndContentTypes() {
        Response csv = served.call("POST", "/invocations", "a,b\n1,2\n\"3\",4\n".getBytes(StandardCharsets.UTF_8),
                "Authorization", "Bearer alice", "Content-Type", "text/csv; charset=utf-8");
        assertEquals("{\"predictions\":[{\"sum\":3.0},{\"sum\":7.0}]}", csv.bodyText());
        assertError(served.call("POST", "/invocations", "a,b\n1\n".getBytes(StandardCharsets.UTF_8),
                "Authorization", "Bearer alice", "Content-Type", "text/csv"), 400, "row 1 has 1 values");
        assertError(served.call("POST", "/invocations", "x".getBytes(StandardCharsets.UTF_8),
                "Authorization", "Bearer alice", "Content-Type", "application/xml"), 415, "content type 'application/xml'");
        assertError(served.call("POST", "/invocations", new byte[10_001], "Authorization", "Bearer alice"), 413, "over the limit");
    }

    @Test
    void unknownEndpointIs404AndModelErrorIs500ThenServing() {
        assertError(served.call("POST", "/serving-endpoints/nope/invocations", "{\"inputs\":[1]}"), 404, "unknown model 'nope'");
        assertEquals(404, served.call("POST", "/serving-endpoints/../invocations", "{\"inputs\":[1]}").status());
        assertEquals(405, served.call("GET", "/invocations", null).status());
        Response bad = served.call("POST", "/serving-endpoints/gather/invocations", "{\"inputs\":[5]}");
        assertError(bad, 500, "model error");
        assertEquals("1", bad.header("X-Model-Version"));
        assertEquals(200, served.call("POST", "/serving-endpoints/gather/invocations", "{\"inputs\":[0]}").status());
    }

    @Test
    void invocationsWithoutADefaultModelIsNotRouted() throws Exception {
        try (var none = new ModelPipeline(ModelPipeline.config(ModelPipeline.repositoryWith(tmp.resolve("x"), "gather")))) {
            assertEquals(404, none.call("POST", "/invocations", "{\"inputs\":[0]}").status());
            assertEquals(403, none.call("POST", "/serving-endpoints/gather/invocations",
                    "{\"inputs\":[0]}".getBytes(StandardCharsets.UTF_8), "Authorization", "Bearer bob").status());
        }
    }
}
