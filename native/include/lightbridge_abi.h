/*
 * lightbridge_abi.h — the one contract between the C side (any HTTP server
 * glue) and the Java runtime, which reads these structs through hand-written
 * FFM layouts (io.lightbridge.bridge.AbiLayouts). Any change here bumps
 * LB_ABI_VERSION; both sides refuse to start on a mismatch, and
 * AbiLayoutTest compares sizeof/offsetof against the Java layouts.
 *
 * Ownership, in one place:
 *  - The server allocates an lb_exchange, fills `request` (pointers may point
 *    into the server's own buffers) and calls lb_java_api.submit(). A queued
 *    exchange starts at the server's next lb_java_api.flush().
 *  - Java copies everything it needs from `request` before submit() returns;
 *    it never reads `request` again.
 *  - Java writes the response into one block obtained from
 *    lb_native_api.response_alloc() (owned by the exchange, freed by the
 *    server with the exchange), then either returns LB_SUBMIT_DONE from
 *    submit() or, later and from any thread, calls lb_native_api.complete()
 *    exactly once. After that Java never touches the exchange again.
 *  - The server frees the exchange (and its response block) exactly once:
 *    after writing the response, or, if the client went away, when the
 *    completion arrives.
 */
#ifndef LIGHTBRIDGE_ABI_H
#define LIGHTBRIDGE_ABI_H

#include <stdint.h>

#define LB_ABI_VERSION 2u

/* A byte range; not NUL-terminated. len 0 with ptr NULL is the empty value. */
typedef struct lb_bytes {
    const uint8_t *ptr;
    uint64_t len;
} lb_bytes;

typedef struct lb_header {
    lb_bytes name;
    lb_bytes value;
} lb_header;

typedef struct lb_request {
    lb_bytes method;
    lb_bytes path;          /* URL path as received (percent-decoded by the server) */
    lb_bytes query;         /* without the leading '?' */
    lb_bytes remote_addr;   /* textual IP address of the client */
    lb_bytes body;          /* complete request body */
    const lb_header *headers;
    uint32_t header_count;
    uint32_t http_version;  /* 10, 11 or 20 */
    int64_t  timeout_ns;    /* time the request may wait in Java's queue, from submit() */
} lb_request;

typedef struct lb_response {
    int32_t  status;
    uint32_t header_count;
    const lb_header *headers;  /* points into `block` */
    lb_bytes body;             /* points into `block` */
    void    *block;            /* from response_alloc(); freed with the exchange */
} lb_response;

typedef struct lb_exchange {
    lb_request  request;
    lb_response response;
    void *server_ctx;          /* the server glue's own state; Java never reads it */
} lb_exchange;

/* submit() results */
#define LB_SUBMIT_DONE   0  /* response filled before submit() returned */
#define LB_SUBMIT_QUEUED 1  /* Java will call complete() exactly once, from another thread */

/* log levels for lb_native_api.log */
#define LB_LOG_ERROR 0
#define LB_LOG_WARN  1
#define LB_LOG_INFO  2

/* Functions the server gives Java (through the JNI bootstrap). All thread-safe. */
typedef struct lb_native_api {
    uint32_t abi_version;
    uint32_t reserved;
    /* Allocates the exchange's response block; at most once per exchange.
     * Returns NULL when out of memory. */
    void *(*response_alloc)(lb_exchange *ex, uint64_t size);
    /* Hands a finished exchange back to the server's event loop. */
    void (*complete)(lb_exchange *ex);
    /* One line into the server's error log (no trailing newline needed). */
    void (*log)(int32_t level, const uint8_t *msg, uint64_t len);
} lb_native_api;

/* Functions Java gives the server: FFM upcall stubs, valid for the process lifetime. */
typedef struct lb_java_api {
    uint32_t abi_version;
    uint32_t reserved;
    /* Never blocks on request work. Returns LB_SUBMIT_DONE or LB_SUBMIT_QUEUED;
     * a queued exchange only waits for a worker: it does not wake one. */
    int32_t (*submit)(lb_exchange *ex);
    /* The server received SIGHUP: reopen logs, reload policy. Returns at once. */
    void (*on_sighup)(void);
    /* Starts the exchanges queued since the last flush: wakes a Java worker
     * unless one is coming anyway. An event-loop server calls it once per pass
     * of its loop in which submit() returned LB_SUBMIT_QUEUED, before it next
     * waits for events, so that one wake-up covers the whole pass. (Forgotten,
     * queued exchanges still start, a millisecond or two late.) Never blocks. */
    void (*flush)(void);
} lb_java_api;

#endif /* LIGHTBRIDGE_ABI_H */
