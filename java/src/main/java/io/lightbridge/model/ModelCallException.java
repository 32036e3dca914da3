package io.lightbridge.model;

/**
 * Why a model call could not be answered, typed by whose fault it is: the caller's ({@link Kind#status()} 4xx,
 * the message names the input and what is wrong) or ours (5xx, the message names the stage).
 */
public final class ModelCallException extends Exception {

    public enum Kind {
        /** The request does not fit the model (names, count, dtype, shape) or is not well-formed. */
        BAD_INPUT(400, "bad_input"),
        /** No such model, version or alias. */
        NOT_FOUND(404, "not_found"),
        /** The body is larger than the configured limit. */
        TOO_LARGE(413, "too_large"),
        /** The content type is not one the protocol reads. */
        UNSUPPORTED_MEDIA_TYPE(415, "unsupported_media_type"),
        /** ONNX Runtime failed while running the model; the model keeps serving. */
        MODEL_FAILED(500, "model_error"),
        /** The model or version exists but is not ready (loading, failed to load, unloaded). */
        NOT_READY(503, "not_ready"),
        /** The call was still waiting for its batch at the request's deadline; it did not run. */
        DEADLINE(504, "deadline");

        private final int status;
        private final String errorClass;

        Kind(int status, String errorClass) {
            this.status = status;
            this.errorClass = errorClass;
        }

        public int status() {
            return status;
        }

        /** The short label for the audit record and metrics. */
        public String errorClass() {
            return errorClass;
        }
    }

    private final Kind kind;

    public ModelCallException(Kind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    public ModelCallException(Kind kind, String message, Throwable cause) {
        super(message, cause, false, false);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    public static ModelCallException badInput(String message) {
        return new ModelCallException(Kind.BAD_INPUT, message);
    }

    public static ModelCallException notFound(String message) {
        return new ModelCallException(Kind.NOT_FOUND, message);
    }
}
