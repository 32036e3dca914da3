package io.lightbridge.protocol.v2;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lightbridge.log.ServerLog;
import io.lightbridge.model.ModelCallException;
import io.lightbridge.model.ModelRepository;
import io.lightbridge.model.VersionStatus;
import io.lightbridge.pipeline.Json;
import io.lightbridge.pipeline.ModelHandler.Outcome;
import io.lightbridge.pipeline.Request;
import io.lightbridge.pipeline.Response;
import io.lightbridge.protocol.ModelErrors;

/** The repository extension: index, load, unload (the {@code admin} action). */
final class RepositoryEndpoints {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ModelRepository repository;
    private final ServerLog log;

    RepositoryEndpoints(ModelRepository repository, ServerLog log) {
        this.repository = repository;
        this.log = log;
    }

    /** {@code {"ready": true}} in the body lists only ready versions. */
    Outcome index(Request request) {
        boolean onlyReady = false;
        if (request.body().length > 0) {
            try {
                JsonNode body = JSON.readTree(request.body());
                if (body != null && !body.isObject()) {
                    throw ModelCallException.badInput("the index request body must be a JSON object");
                }
                onlyReady = body != null && body.path("ready").asBoolean(false);
            } catch (java.io.IOException e) {
                return ModelErrors.outcome(ModelCallException.badInput("the index request body is not valid JSON"), null, log);
            } catch (ModelCallException e) {
                return ModelErrors.outcome(e, null, log);
            }
        }
        var sb = new StringBuilder("[");
        boolean first = true;
        for (VersionStatus s : repository.index()) {
            if (onlyReady && !s.ready()) {
                continue;
            }
            sb.append(first ? "" : ",").append("{\"name\":").append(Json.quote(s.model()))
                    .append(",\"version\":").append(Json.quote(s.version()))
                    .append(",\"state\":\"").append(s.state()).append('"')
                    .append(",\"reason\":").append(Json.quote(s.reason())).append('}');
            first = false;
        }
        return Outcome.of(Response.json(200, sb.append(']').toString()), null);
    }

    Outcome load(String model) {
        try {
            repository.load(model);
            return Outcome.of(Response.json(200, "{}"), null);
        } catch (ModelCallException e) {
            return ModelErrors.outcome(e, null, log);
        }
    }

    Outcome unload(String model) {
        try {
            repository.unload(model);
            return Outcome.of(Response.json(200, "{}"), null);
        } catch (ModelCallException e) {
            return ModelErrors.outcome(e, null, log);
        }
    }
}
