package io.lightbridge.bridge;

/** The server's table does not match this jar's ABI: nothing can be exchanged safely, so the bridge does not start. */
final class AbiMismatchException extends Exception {
    AbiMismatchException(String message) {
        super(message);
    }
}
