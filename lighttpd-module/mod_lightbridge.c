/*
 * mod_lightbridge — hands requests to the Lightbridge Java runtime, which runs
 * in a JVM embedded in this lighttpd process, without blocking the event loop.
 *
 * lighttpd glue only: directives, body collection, the hand-off through the
 * ABI in lightbridge_abi.h, response writing, client aborts, signals. The JVM
 * bootstrap, the completion queue and the thread-safe log sink are
 * server-agnostic and live in native/.
 *
 * Life of a request: handle_uri_clean claims it; handle_subrequest collects
 * the whole body (413 beyond lightbridge.max-request-body), fills an
 * lb_exchange and calls Java's submit(). LB_SUBMIT_DONE: the response is
 * written at once. LB_SUBMIT_QUEUED: the exchange waits in Java's queue until
 * the flush at the end of this pass of the event loop (the first queued
 * request of a pass puts its connection on the joblist, which lighttpd runs
 * after every ready fd: one worker wake-up per pass, not per request); a Java
 * worker thread later calls
 * complete(), which pushes the exchange onto the completion queue; the
 * eventfd wakes the event loop, which re-schedules the connection, and
 * handle_subrequest writes the response. If the client went away meanwhile,
 * handle_request_reset has orphaned the exchange and the completion frees it.
 *
 * Process-lifetime state (the JVM, Java's function table, the completion
 * eventfd) is static: lighttpd dlclose()s and reloads modules on SIGUSR1, and
 * the module is linked with -z nodelete so that this state and the code Java
 * calls back into stay put.
 */
#include "first.h"

#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plugin.h"

#include "base.h"
#include "buffer.h"
#include "array.h"
#include "chunk.h"
#include "fdevent.h"
#include "fdlog.h"
#include "http_chunk.h"
#include "http_header.h"
#include "http_kv.h"
#include "log.h"
#include "request.h"
#include "response.h"

#include "lightbridge_abi.h"
#include "lb_completion.h"
#include "lb_jvm.h"
#include "lb_log.h"

#define LB_JAVA_MIN_FEATURE        22   /* FFM is final from JDK 22 */
#define LB_JVM_SEARCH_DIR          "/usr/lib/jvm"
#define LB_DEFAULT_MAX_BODY        (8u << 20)
#define LB_DEFAULT_DEADLINE_MS     50u
#define LB_MAX_DEADLINE_MS         600000u
#define LB_STACK_HEADERS           32

/* plugin config for all request/connections */

typedef struct {
    unsigned short activate;      /* lightbridge.activate */
    unsigned int max_body;        /* lightbridge.max-request-body, bytes */
    unsigned int deadline_ms;     /* lightbridge.deadline-ms */
} plugin_config;

typedef struct {
    PLUGIN_DATA;
    plugin_config defaults;
    plugin_config conf;
    /* server-wide only */
    char java_home[4096];         /* lightbridge.java-home, or the detected JDK */
    const buffer *jar;            /* lightbridge.jar */
    const buffer *config;         /* lightbridge.config */
    const array *jvm_options;     /* lightbridge.jvm-options */
    server *srv;
    fdnode *completion_fdn;       /* this generation's registration of the eventfd */
} plugin_data;

/* Per exchange. Java sees only `ex` (its address is the exchange pointer). */
typedef struct {
    lb_exchange ex;               /* first member: an lb_exchange * is a handler_ctx * */
    lb_completion_node done;      /* link in the completion queue */
    request_st *r;                /* NULL once lighttpd reset the request: orphaned */
    int completed;                /* Java called complete(); event loop only */
} handler_ctx;

/* Process lifetime (see the top of the file). */
static lb_completion_queue mod_lightbridge_completions = { .eventfd = -1 };
static const lb_java_api *mod_lightbridge_java;
/* Event loop only. Logged on SIGHUP: a leak shows as exchanges that stay held. */
static int mod_lightbridge_flush_pending;
static size_t mod_lightbridge_exchanges_live;
static size_t mod_lightbridge_exchanges_orphaned;
/* server.max-worker supervisor: a worker exited because its JVM or Java runtime did not start */
static int mod_lightbridge_worker_start_failed;


/* ---- functions Java calls (any thread) ---------------------------------- */

static void *mod_lightbridge_response_alloc(lb_exchange *ex, uint64_t size) {
    if (ex->response.block != NULL || size == 0 || size > SIZE_MAX) return NULL; /* at most once */
    ex->response.block = malloc((size_t)size);
    return ex->response.block;
}

static void mod_lightbridge_complete(lb_exchange *ex) {
    handler_ctx * const hctx = (handler_ctx *)ex;
    lb_completion_push(&mod_lightbridge_completions, &hctx->done);
}

static const lb_native_api mod_lightbridge_native_api = {
    .abi_version = LB_ABI_VERSION,
    .response_alloc = mod_lightbridge_response_alloc,
    .complete = mod_lightbridge_complete,
    .log = lb_log_write,
};


/* ---- exchange lifetime ---------------------------------------------------- */

static handler_ctx * handler_ctx_init(request_st * const r) {
    handler_ctx * const hctx = ck_calloc(1, sizeof(handler_ctx));
    hctx->r = r;
    hctx->ex.server_ctx = hctx;
    ++mod_lightbridge_exchanges_live;
    return hctx;
}

static void handler_ctx_free(handler_ctx *hctx) {
    --mod_lightbridge_exchanges_live;
    free(hctx->ex.response.block);
    free(hctx);
}

static handler_ctx * handler_ctx_of(lb_completion_node * const n) {
    return (handler_ctx *)((char *)n - offsetof(handler_ctx, done));
}


/* init the plugin data */
INIT_FUNC(mod_lightbridge_init) {
    return ck_calloc(1, sizeof(plugin_data));
}

FREE_FUNC(mod_lightbridge_free) {
    plugin_data * const p = p_d;
    if (NULL != p->completion_fdn) {
        /* the eventfd itself stays open: completions may arrive during a reload */
        fdevent_fdnode_event_del(p->srv->ev, p->completion_fdn);
        fdevent_unregister(p->srv->ev, p->completion_fdn);
        p->completion_fdn = NULL;
    }
    /* The supervisor's own exit code would be 0 (it stopped on SIGTERM); cleanup is the
     * last thing it runs, so this is where it can still say the start failed. */
    if (mod_lightbridge_worker_start_failed) exit(1);
}

/* handle plugin config and check values */

static void mod_lightbridge_merge_config_cpv(plugin_config * const pconf, const config_plugin_value_t * const cpv) {
    switch (cpv->k_id) { /* index into static config_plugin_keys_t cpk[] */
      case 0: /* lightbridge.activate */
        pconf->activate = (unsigned short)cpv->v.u;
        break;
      case 1: /* lightbridge.max-request-body */
        pconf->max_body = cpv->v.u;
        break;
      case 2: /* lightbridge.deadline-ms */
        pconf->deadline_ms = cpv->v.u;
        break;
      default:/* server-wide keys, see mod_lightbridge_set_server_wide() */
        return;
    }
}

static void mod_lightbridge_merge_config(plugin_config * const pconf, const config_plugin_value_t *cpv) {
    do {
        mod_lightbridge_merge_config_cpv(pconf, cpv);
    } while ((++cpv)->k_id != -1);
}

static void mod_lightbridge_patch_config(request_st * const r, plugin_data * const p) {
    p->conf = p->defaults; /* copy small struct instead of memcpy() */
    for (int i = 1, used = p->nconfig; i < used; ++i) {
        if (config_check_cond(r, (uint32_t)p->cvlist[i].k_id))
            mod_lightbridge_merge_config(&p->conf, p->cvlist+p->cvlist[i].v.u2[0]);
    }
}

__attribute_cold__
static int mod_lightbridge_reject(server * const srv, const char * const key, const char * const value, const char * const why) {
    log_error(srv->errh, __FILE__, __LINE__, "%s = \"%s\": %s", key, value, why);
    return 0;
}

static int mod_lightbridge_readable_file(const buffer * const path) {
    struct stat st;
    return 0 == stat(path->ptr, &st) && S_ISREG(st.st_mode) && 0 == access(path->ptr, R_OK);
}

/* lightbridge.java-home, or the newest JDK >= 22 under /usr/lib/jvm */
static int mod_lightbridge_resolve_java_home(server * const srv, plugin_data * const p, const buffer * const configured) {
    if (NULL == configured) {
        if (0 == lb_jvm_find_java_home(LB_JVM_SEARCH_DIR, LB_JAVA_MIN_FEATURE, p->java_home, sizeof(p->java_home)))
            return 1;
        return mod_lightbridge_reject(srv, "lightbridge.java-home", "",
          "not set, and no JDK >= 22 with lib/server/libjvm.so found under " LB_JVM_SEARCH_DIR);
    }
    const int feature = lb_jvm_feature_version(configured->ptr);
    if (feature < 0)
        return mod_lightbridge_reject(srv, "lightbridge.java-home", configured->ptr,
          "not a JDK (needs lib/server/libjvm.so and a release file)");
    if (feature < LB_JAVA_MIN_FEATURE)
        return mod_lightbridge_reject(srv, "lightbridge.java-home", configured->ptr,
          "JDK is older than 22 (the bridge needs the FFM API)");
    if (buffer_clen(configured) >= sizeof(p->java_home))
        return mod_lightbridge_reject(srv, "lightbridge.java-home", configured->ptr, "path too long");
    memcpy(p->java_home, configured->ptr, buffer_clen(configured) + 1);
    return 1;
}

static int mod_lightbridge_check_jvm_options(server * const srv, const array * const options) {
    for (uint32_t i = 0; NULL != options && i < options->used; ++i) {
        const data_string * const ds = (const data_string *)options->data[i];
        if (ds->type != TYPE_STRING || buffer_is_blank(&ds->value) || ds->value.ptr[0] != '-')
            return mod_lightbridge_reject(srv, "lightbridge.jvm-options",
              ds->type == TYPE_STRING ? ds->value.ptr : "(not a string)",
              "each JVM option is a string starting with '-'");
    }
    return 1;
}

/* The keys that only make sense once per process: the JVM is shared by all conditions. */
static int mod_lightbridge_set_server_wide(server * const srv, plugin_data * const p) {
    const buffer *java_home = NULL;
    if (p->nconfig > 0 && p->cvlist->v.u2[1]) {
        for (const config_plugin_value_t *cpv = p->cvlist + p->cvlist->v.u2[0]; -1 != cpv->k_id; ++cpv) {
            switch (cpv->k_id) {
              case 3: /* lightbridge.java-home */
                java_home = cpv->v.b;
                break;
              case 4: /* lightbridge.jar */
                p->jar = cpv->v.b;
                break;
              case 5: /* lightbridge.config */
                p->config = cpv->v.b;
                break;
              case 6: /* lightbridge.jvm-options */
                p->jvm_options = cpv->v.a;
                break;
              default:
                break;
            }
        }
    }
    if (NULL == p->jar || buffer_is_blank(p->jar))
        return mod_lightbridge_reject(srv, "lightbridge.jar", "", "required: the path of lightbridge.jar");
    if (!mod_lightbridge_readable_file(p->jar))
        return mod_lightbridge_reject(srv, "lightbridge.jar", p->jar->ptr, strerror(errno ? errno : EINVAL));
    if (NULL != p->config && !buffer_is_blank(p->config) && !mod_lightbridge_readable_file(p->config))
        return mod_lightbridge_reject(srv, "lightbridge.config", p->config->ptr, strerror(errno ? errno : EINVAL));
    return mod_lightbridge_resolve_java_home(srv, p, java_home)
        && mod_lightbridge_check_jvm_options(srv, p->jvm_options);
}

static int mod_lightbridge_check_limits(server * const srv, const plugin_data * const p) {
    /* every condition's values, not only the global ones */
    for (int i = 0; i < p->nconfig; ++i) {
        for (const config_plugin_value_t *cpv = p->cvlist + p->cvlist[i].v.u2[0]; -1 != cpv->k_id; ++cpv) {
            char v[16];
            snprintf(v, sizeof(v), "%u", cpv->v.u);
            if (1 == cpv->k_id && 0 == cpv->v.u)
                return mod_lightbridge_reject(srv, "lightbridge.max-request-body", v, "must be > 0 bytes");
            if (2 == cpv->k_id && (0 == cpv->v.u || cpv->v.u > LB_MAX_DEADLINE_MS))
                return mod_lightbridge_reject(srv, "lightbridge.deadline-ms", v, "must be 1..600000");
        }
    }
    return 1;
}

SETDEFAULTS_FUNC(mod_lightbridge_set_defaults) {
    static const config_plugin_keys_t cpk[] = {
      { CONST_STR_LEN("lightbridge.activate"),
        T_CONFIG_BOOL,
        T_CONFIG_SCOPE_CONNECTION }
     ,{ CONST_STR_LEN("lightbridge.max-request-body"),
        T_CONFIG_INT,
        T_CONFIG_SCOPE_CONNECTION }
     ,{ CONST_STR_LEN("lightbridge.deadline-ms"),
        T_CONFIG_INT,
        T_CONFIG_SCOPE_CONNECTION }
     ,{ CONST_STR_LEN("lightbridge.java-home"),
        T_CONFIG_STRING,
        T_CONFIG_SCOPE_SERVER }
     ,{ CONST_STR_LEN("lightbridge.jar"),
        T_CONFIG_STRING,
        T_CONFIG_SCOPE_SERVER }
     ,{ CONST_STR_LEN("lightbridge.config"),
        T_CONFIG_STRING,
        T_CONFIG_SCOPE_SERVER }
     ,{ CONST_STR_LEN("lightbridge.jvm-options"),
        T_CONFIG_ARRAY_VLIST,
        T_CONFIG_SCOPE_SERVER }
     ,{ NULL, 0,
        T_CONFIG_UNSET,
        T_CONFIG_SCOPE_UNSET }
    };

    plugin_data * const p = p_d;
    p->srv = srv;
    if (!config_plugin_values_init(srv, p, cpk, "mod_lightbridge"))
        return HANDLER_ERROR;

    p->defaults.max_body = LB_DEFAULT_MAX_BODY;
    p->defaults.deadline_ms = LB_DEFAULT_DEADLINE_MS;

    /* initialize p->defaults from global config context */
    if (p->nconfig > 0 && p->cvlist->v.u2[1]) {
        const config_plugin_value_t *cpv = p->cvlist + p->cvlist->v.u2[0];
        if (-1 != cpv->k_id)
            mod_lightbridge_merge_config(&p->defaults, cpv);
    }

    if (!mod_lightbridge_set_server_wide(srv, p) || !mod_lightbridge_check_limits(srv, p))
        return HANDLER_ERROR;
    return HANDLER_GO_ON;
}


/* ---- worker start-up: the JVM is created here, after every fork ---------- */

/* Java logs from its own threads: give it a descriptor of our own onto lighttpd's error log. */
static void mod_lightbridge_open_log_sink(server * const srv) {
    const log_error_st * const errh = srv->errh;
    if (errh->mode == FDLOG_SYSLOG)
        lb_log_sink_use_syslog();
    else if (errh->mode == FDLOG_FILE && NULL != errh->fn && 0 == lb_log_sink_open_path(errh->fn))
        return;
    else
        lb_log_sink_use_fd(errh->fd >= 0 ? errh->fd : STDERR_FILENO);
}

static const char ** mod_lightbridge_jvm_option_strings(const array * const options, size_t * const count) {
    *count = NULL == options ? 0 : options->used;
    const char ** const strings = ck_calloc(*count + 1, sizeof(char *));
    for (size_t i = 0; i < *count; ++i)
        strings[i] = ((const data_string *)options->data[i])->value.ptr;
    return strings;
}

__attribute_cold__
static handler_t mod_lightbridge_worker_failed(server * const srv, const char * const stage, const char * const why) {
    log_error(srv->errh, __FILE__, __LINE__, "mod_lightbridge: %s: %s; lighttpd stops", stage, why);
    return HANDLER_ERROR; /* lighttpd exits 255; a server.max-worker supervisor sees it in waitpid */
}

static handler_t mod_lightbridge_start_jvm(server * const srv, plugin_data * const p) {
    size_t count;
    const char ** const options = mod_lightbridge_jvm_option_strings(p->jvm_options, &count);
    const lb_jvm_config cfg = {
        .java_home = p->java_home,
        .class_path = p->jar->ptr,
        .config_path = NULL != p->config ? p->config->ptr : "",
        .options = options,
        .option_count = count,
    };
    char err[1024];
    const lb_jvm_status status = lb_jvm_start(&cfg, &mod_lightbridge_native_api, &mod_lightbridge_java, err, sizeof(err));
    free(options);
    if (LB_JVM_OK != status)
        return mod_lightbridge_worker_failed(srv, lb_jvm_status_name(status), err);
    /* after a SIGUSR1 reload lighttpd has re-installed its own SIGBUS handler */
    lb_jvm_restore_signal_handlers();
    return HANDLER_GO_ON;
}

static handler_t mod_lightbridge_drain(void *ctx, int revents);

static handler_t mod_lightbridge_listen_for_completions(server * const srv, plugin_data * const p) {
    if (mod_lightbridge_completions.eventfd < 0 && 0 != lb_completion_open(&mod_lightbridge_completions))
        return mod_lightbridge_worker_failed(srv, "completion eventfd", strerror(errno));
    p->completion_fdn = fdevent_register(srv->ev, mod_lightbridge_completions.eventfd, mod_lightbridge_drain, p);
    fdevent_fdnode_event_set(srv->ev, p->completion_fdn, FDEVENT_IN);
    return HANDLER_GO_ON;
}

/* Starts the exchanges queued in this pass; any of our hooks that runs later in the pass may do it. */
static void mod_lightbridge_flush(void) {
    if (!mod_lightbridge_flush_pending) return;
    mod_lightbridge_flush_pending = 0;
    mod_lightbridge_java->flush();
}

/* The first queued exchange of a pass schedules the flush: its connection runs again from the joblist. */
static void mod_lightbridge_schedule_flush(connection * const con) {
    if (mod_lightbridge_flush_pending) return;
    mod_lightbridge_flush_pending = 1;
    joblist_append(con);
}

SERVER_FUNC(mod_lightbridge_worker_init) {
    plugin_data * const p = p_d;
    mod_lightbridge_open_log_sink(srv);
    handler_t rc = mod_lightbridge_listen_for_completions(srv, p);
    if (HANDLER_GO_ON == rc)
        rc = mod_lightbridge_start_jvm(srv, p);
    if (HANDLER_GO_ON == rc)
        mod_lightbridge_flush(); /* one the previous generation's loop (before SIGUSR1) never reached */
    return rc;
}

/* server.max-worker supervisor: it would re-fork a worker that failed to start, forever. Stop instead. */
static handler_t mod_lightbridge_handle_waitpid(server *srv, void *p_d, pid_t pid, int status) {
    const plugin_data * const p = p_d;
    UNUSED(pid);
    /* only the supervisor: it runs no worker_init, and its children are the workers */
    if (0 == srv->srvconf.max_worker || NULL != p->completion_fdn) return HANDLER_GO_ON;
    if (WIFEXITED(status) && 255 == WEXITSTATUS(status)) { /* worker_init failed; the worker logged why */
        mod_lightbridge_worker_start_failed = 1;
        kill(getpid(), SIGTERM); /* lighttpd's own orderly stop, which also stops the other workers */
    }
    return HANDLER_GO_ON;
}

SIGHUP_FUNC(mod_lightbridge_handle_sighup) {
    log_error(srv->errh, __FILE__, __LINE__,
      "mod_lightbridge: %zu exchanges open, %zu orphaned by aborted clients since start",
      mod_lightbridge_exchanges_live, mod_lightbridge_exchanges_orphaned);
    mod_lightbridge_open_log_sink(srv); /* Java's log lines follow the rotated log */
    if (NULL != mod_lightbridge_java) mod_lightbridge_java->on_sighup();
    UNUSED(p_d);
    return HANDLER_GO_ON;
}


/* ---- requests -------------------------------------------------------------- */

URIHANDLER_FUNC(mod_lightbridge_uri_handler) {
    plugin_data * const p = p_d;
    if (NULL != r->handler_module) return HANDLER_GO_ON;
    mod_lightbridge_patch_config(r, p);
    if (!p->conf.activate) return HANDLER_GO_ON;
    r->handler_module = p->self;
    return HANDLER_GO_ON;
}

/* A JSON error written by the glue itself (Java never saw the request). */
__attribute_cold__
static handler_t mod_lightbridge_json_error(request_st * const r, const int status, const char * const error) {
    http_response_body_clear(r, 0);
    http_header_response_set(r, HTTP_HEADER_CONTENT_TYPE, CONST_STR_LEN("Content-Type"),
                             CONST_STR_LEN("application/json"));
    buffer * const b = chunkqueue_append_buffer_open(&r->write_queue);
    buffer_append_str3(b, CONST_STR_LEN("{\"error\":\""), error, strlen(error), CONST_STR_LEN("\"}\n"));
    chunkqueue_append_buffer_commit(&r->write_queue);
    r->http_status = status;
    r->resp_body_finished = 1;
    return HANDLER_FINISHED;
}

__attribute_cold__
static handler_t mod_lightbridge_body_too_large(request_st * const r) {
    r->keep_alive = 0; /* the rest of the body is not read */
    return mod_lightbridge_json_error(r, 413, "request body exceeds lightbridge.max-request-body");
}

/* Reads the request body. HANDLER_GO_ON once it is complete. */
static handler_t mod_lightbridge_collect_body(request_st * const r, const plugin_config * const conf) {
    if (r->reqbody_length > (off_t)conf->max_body) return mod_lightbridge_body_too_large(r);
    if (r->state != CON_STATE_READ_POST) return HANDLER_GO_ON;
    const handler_t rc = r->con->reqbody_read(r);
    if (r->reqbody_queue.bytes_in > (off_t)conf->max_body)  /* chunked: no length up front */
        return mod_lightbridge_body_too_large(r);
    if (rc != HANDLER_GO_ON) return rc;
    return r->state == CON_STATE_READ_POST ? HANDLER_WAIT_FOR_EVENT : HANDLER_GO_ON;
}

static lb_bytes mod_lightbridge_bytes(const buffer * const b) {
    const uint32_t len = buffer_clen(b);
    return (lb_bytes){ len ? (const uint8_t *)b->ptr : NULL, len };
}

/* The whole body in one piece. Spooled (> 64 KB) bodies are read back from their temp files. */
static int mod_lightbridge_body(request_st * const r, lb_bytes * const body) {
    chunkqueue * const cq = &r->reqbody_queue;
    *body = (lb_bytes){ NULL, 0 };
    if (chunkqueue_is_empty(cq)) return 1;
    const buffer * const b = chunkqueue_read_squash(cq, r->conf.errh);
    if (NULL == b) return 0;
    /* squash may hand back the first chunk as is, with bytes already consumed before its offset */
    body->ptr = (const uint8_t *)b->ptr + cq->first->offset;
    body->len = (uint64_t)chunkqueue_length(cq);
    return 1;
}

static uint32_t mod_lightbridge_http_version(const request_st * const r) {
    switch (r->http_version) {
      case HTTP_VERSION_1_0: return 10;
      case HTTP_VERSION_2:   return 20;
      default:               return 11;
    }
}

static void mod_lightbridge_fill_headers(const request_st * const r, lb_header * const headers) {
    for (uint32_t i = 0; i < r->rqst_headers.used; ++i) {
        const data_string * const ds = (const data_string *)r->rqst_headers.data[i];
        headers[i].name = mod_lightbridge_bytes(&ds->key);
        headers[i].value = mod_lightbridge_bytes(&ds->value);
    }
}

/* The request side of the exchange. Its pointers are lighttpd's buffers: valid during submit() only. */
static void mod_lightbridge_fill_request(request_st * const r, const plugin_config * const conf,
                                         lb_request * const req, const lb_header * const headers,
                                         const lb_bytes body) {
    req->method = mod_lightbridge_bytes(http_method_buf(r->http_method));
    req->path = mod_lightbridge_bytes(&r->uri.path);
    req->query = mod_lightbridge_bytes(&r->uri.query);
    req->remote_addr = mod_lightbridge_bytes(&r->con->dst_addr_buf);
    req->body = body;
    req->headers = headers;
    req->header_count = r->rqst_headers.used;
    req->http_version = mod_lightbridge_http_version(r);
    req->timeout_ns = (int64_t)conf->deadline_ms * 1000000;
}

static int32_t mod_lightbridge_submit(request_st * const r, const plugin_config * const conf,
                                      handler_ctx * const hctx, const lb_bytes body) {
    lb_header on_stack[LB_STACK_HEADERS];
    lb_header * const headers = r->rqst_headers.used <= LB_STACK_HEADERS
      ? on_stack
      : ck_malloc(r->rqst_headers.used * sizeof(lb_header));
    mod_lightbridge_fill_headers(r, headers);
    mod_lightbridge_fill_request(r, conf, &hctx->ex.request, headers, body);
    const int32_t rc = mod_lightbridge_java->submit(&hctx->ex);
    if (headers != on_stack) free(headers);
    /* Java copied what it needs; drop the pointers into lighttpd's buffers */
    memset(&hctx->ex.request, 0, sizeof(hctx->ex.request));
    return rc;
}

static int mod_lightbridge_response_is_sane(const lb_response * const resp) {
    return resp->status >= 100 && resp->status <= 599
        && (0 == resp->header_count || NULL != resp->headers)
        && (0 == resp->body.len || NULL != resp->body.ptr);
}

static handler_t mod_lightbridge_write_response(request_st * const r, const lb_response * const resp) {
    if (!mod_lightbridge_response_is_sane(resp))
        return mod_lightbridge_json_error(r, 500, "the Java runtime returned no usable response");
    for (uint32_t i = 0; i < resp->header_count; ++i) {
        const lb_header * const h = resp->headers + i;
        const char * const k = (const char *)h->name.ptr;
        const uint32_t klen = (uint32_t)h->name.len;
        http_header_response_insert(r, http_header_hkey_get(k, klen), k, klen,
                                    (const char *)h->value.ptr, (uint32_t)h->value.len);
    }
    if (resp->body.len && 0 != http_chunk_append_mem(r, (const char *)resp->body.ptr, (size_t)resp->body.len))
        return mod_lightbridge_json_error(r, 500, "could not buffer the response body");
    r->http_status = resp->status;
    r->resp_body_finished = 1;
    return HANDLER_FINISHED;
}

static handler_t mod_lightbridge_finish(request_st * const r, plugin_data * const p, handler_ctx * const hctx) {
    r->plugin_ctx[p->id] = NULL;
    const handler_t rc = mod_lightbridge_write_response(r, &hctx->ex.response);
    handler_ctx_free(hctx);
    /* API answers are not files: keep lighttpd's generic Range handling (206) off them */
    if (!light_btst(r->resp_htags, HTTP_HEADER_ACCEPT_RANGES))
        http_header_response_set(r, HTTP_HEADER_ACCEPT_RANGES, CONST_STR_LEN("Accept-Ranges"), CONST_STR_LEN("none"));
    return rc;
}

/* A waiting HTTP/1.x request keeps the socket's read interest: lighttpd would otherwise drop it now and restore it
 * after the answer, two epoll_ctl per request. Not once bytes arrived meanwhile (a pipelined request): then lighttpd
 * drops it as usual, so unread bytes cannot spin the loop. The read timeout (server.max-read-idle) counts from here. */
static void mod_lightbridge_keep_read_interest(request_st * const r) {
    connection * const con = r->con;
    if (r != &con->request || con->is_readable > 0) return; /* an HTTP/2 stream: h2 owns the connection's interest */
    con->is_readable = -1; /* connection_set_fdevent_interest(): keep FDEVENT_IN */
    con->read_idle_ts = log_monotonic_secs;
}

static handler_t mod_lightbridge_start(request_st * const r, plugin_data * const p) {
    mod_lightbridge_patch_config(r, p);
    handler_t rc = mod_lightbridge_collect_body(r, &p->conf);
    if (HANDLER_GO_ON != rc) return rc;
    lb_bytes body;
    if (!mod_lightbridge_body(r, &body))
        return mod_lightbridge_json_error(r, 500, "could not read the request body back");
    handler_ctx * const hctx = handler_ctx_init(r);
    if (LB_SUBMIT_DONE == mod_lightbridge_submit(r, &p->conf, hctx, body))
        return mod_lightbridge_finish(r, p, hctx);
    r->plugin_ctx[p->id] = hctx;
    mod_lightbridge_schedule_flush(r->con);
    mod_lightbridge_keep_read_interest(r);
    return HANDLER_WAIT_FOR_EVENT;
}

SUBREQUEST_FUNC(mod_lightbridge_handle_subrequest) {
    plugin_data * const p = p_d;
    if (r->handler_module != p->self) return HANDLER_GO_ON;
    handler_ctx * const hctx = r->plugin_ctx[p->id];
    if (NULL == hctx) return mod_lightbridge_start(r, p);
    mod_lightbridge_flush();
    if (hctx->completed) return mod_lightbridge_finish(r, p, hctx);
    mod_lightbridge_keep_read_interest(r);
    return HANDLER_WAIT_FOR_EVENT;
}

/* Request done or aborted: an exchange Java still holds is orphaned, freed by its completion. */
REQUEST_FUNC(mod_lightbridge_handle_request_reset) {
    plugin_data * const p = p_d;
    mod_lightbridge_flush(); /* this connection may have carried the pass's flush */
    handler_ctx * const hctx = r->plugin_ctx[p->id];
    if (NULL == hctx) return HANDLER_GO_ON;
    r->plugin_ctx[p->id] = NULL;
    if (hctx->completed) {
        handler_ctx_free(hctx);
    } else {
        hctx->r = NULL;
        ++mod_lightbridge_exchanges_orphaned;
    }
    return HANDLER_GO_ON;
}

/* eventfd readable: Java finished exchanges. One wake-up covers every completion queued so far. */
static handler_t mod_lightbridge_drain(void *ctx, int revents) {
    UNUSED(ctx);
    UNUSED(revents);
    lb_completion_node *n = lb_completion_drain(&mod_lightbridge_completions);
    while (NULL != n) {
        lb_completion_node * const next = n->next;
        handler_ctx * const hctx = handler_ctx_of(n);
        if (NULL == hctx->r) {
            handler_ctx_free(hctx);
        } else {
            hctx->completed = 1;
            joblist_append(hctx->r->con);
        }
        n = next;
    }
    return HANDLER_FINISHED;
}


/* this function is called at dlopen() time and inits the callbacks */
__attribute_cold__
__attribute__((visibility("default")))
int mod_lightbridge_plugin_init(plugin *p);
int mod_lightbridge_plugin_init(plugin *p) {
    p->version     = LIGHTTPD_VERSION_ID;
    p->name        = "lightbridge";

    p->init        = mod_lightbridge_init;
    p->set_defaults = mod_lightbridge_set_defaults;
    p->worker_init = mod_lightbridge_worker_init;
    p->handle_sighup = mod_lightbridge_handle_sighup;
    p->handle_waitpid = mod_lightbridge_handle_waitpid;
    p->handle_uri_clean = mod_lightbridge_uri_handler;
    p->handle_subrequest = mod_lightbridge_handle_subrequest;
    p->handle_request_reset = mod_lightbridge_handle_request_reset;
    p->cleanup     = mod_lightbridge_free;

    return 0;
}
