package io.lightbridge.bridge;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;
import java.util.List;

/**
 * The structs of {@code native/include/lightbridge_abi.h}, written by hand (jextract is not available here) and
 * nowhere else: every other class reads and writes the ABI through these layouts and handles. AbiLayoutTest
 * compiles the header and compares every size and offset, so a change on either side fails the build.
 *
 * <p>Every {@link VarHandle} here takes the JDK's standard coordinates {@code (MemorySegment segment, long base)}:
 * {@code base} is the byte offset of the struct inside {@code segment} (0 for a struct at the segment's start,
 * {@code i * HEADER.byteSize()} for the i-th header of an array). uint32_t fields are read as Java ints.
 */
public final class AbiLayouts {

    /** Must equal LB_ABI_VERSION; both sides refuse to start on a mismatch. */
    public static final int ABI_VERSION = 2;

    /** Return values of lb_java_api.submit. */
    public static final int SUBMIT_DONE = 0;
    public static final int SUBMIT_QUEUED = 1;

    /** Levels of lb_native_api.log. */
    public static final int LOG_ERROR = 0;
    public static final int LOG_WARN = 1;
    public static final int LOG_INFO = 2;

    public static final StructLayout BYTES = MemoryLayout.structLayout(
            ADDRESS.withName("ptr"),
            JAVA_LONG.withName("len")).withName("lb_bytes");

    public static final StructLayout HEADER = MemoryLayout.structLayout(
            BYTES.withName("name"),
            BYTES.withName("value")).withName("lb_header");

    public static final StructLayout REQUEST = MemoryLayout.structLayout(
            BYTES.withName("method"),
            BYTES.withName("path"),
            BYTES.withName("query"),
            BYTES.withName("remote_addr"),
            BYTES.withName("body"),
            ADDRESS.withName("headers"),
            JAVA_INT.withName("header_count"),
            JAVA_INT.withName("http_version"),
            JAVA_LONG.withName("timeout_ns")).withName("lb_request");

    public static final StructLayout RESPONSE = MemoryLayout.structLayout(
            JAVA_INT.withName("status"),
            JAVA_INT.withName("header_count"),
            ADDRESS.withName("headers"),
            BYTES.withName("body"),
            ADDRESS.withName("block")).withName("lb_response");

    public static final StructLayout EXCHANGE = MemoryLayout.structLayout(
            REQUEST.withName("request"),
            RESPONSE.withName("response"),
            ADDRESS.withName("server_ctx")).withName("lb_exchange");

    public static final StructLayout NATIVE_API = MemoryLayout.structLayout(
            JAVA_INT.withName("abi_version"),
            JAVA_INT.withName("reserved"),
            ADDRESS.withName("response_alloc"),
            ADDRESS.withName("complete"),
            ADDRESS.withName("log")).withName("lb_native_api");

    public static final StructLayout JAVA_API = MemoryLayout.structLayout(
            JAVA_INT.withName("abi_version"),
            JAVA_INT.withName("reserved"),
            ADDRESS.withName("submit"),
            ADDRESS.withName("on_sighup"),
            ADDRESS.withName("flush")).withName("lb_java_api");

    /** Every struct of the header, for the layout test. */
    public static final List<StructLayout> ALL = List.of(BYTES, HEADER, REQUEST, RESPONSE, EXCHANGE, NATIVE_API, JAVA_API);

    // lb_native_api's functions
    /** void *response_alloc(lb_exchange *ex, uint64_t size) */
    public static final FunctionDescriptor RESPONSE_ALLOC = FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG);
    /** void complete(lb_exchange *ex) */
    public static final FunctionDescriptor COMPLETE = FunctionDescriptor.ofVoid(ADDRESS);
    /** void log(int32_t level, const uint8_t *msg, uint64_t len) */
    public static final FunctionDescriptor LOG = FunctionDescriptor.ofVoid(JAVA_INT, ADDRESS, JAVA_LONG);

    // lb_java_api's functions
    /** int32_t submit(lb_exchange *ex) */
    public static final FunctionDescriptor SUBMIT = FunctionDescriptor.of(JAVA_INT, ADDRESS);
    /** void on_sighup(void) */
    public static final FunctionDescriptor ON_SIGHUP = FunctionDescriptor.ofVoid();
    /** void flush(void) */
    public static final FunctionDescriptor FLUSH = FunctionDescriptor.ofVoid();

    /** An lb_bytes field: its pointer and length handles, with the pair read as one sized segment. */
    public record BytesField(VarHandle ptr, VarHandle len) {
        /** The bytes the field points to, as a segment of exactly {@code len} bytes (empty when ptr is NULL). */
        public MemorySegment get(MemorySegment struct, long base) {
            long n = (long) len.get(struct, base);
            MemorySegment p = (MemorySegment) ptr.get(struct, base);
            return n == 0 || p.equals(MemorySegment.NULL) ? MemorySegment.NULL : p.reinterpret(n);
        }

        public void set(MemorySegment struct, long base, MemorySegment bytes) {
            ptr.set(struct, base, bytes);
            len.set(struct, base, bytes.byteSize());
        }
    }

    // lb_exchange.request
    public static final BytesField REQUEST_METHOD = bytes(EXCHANGE, groupElement("request"), groupElement("method"));
    public static final BytesField REQUEST_PATH = bytes(EXCHANGE, groupElement("request"), groupElement("path"));
    public static final BytesField REQUEST_QUERY = bytes(EXCHANGE, groupElement("request"), groupElement("query"));
    public static final BytesField REQUEST_REMOTE_ADDR = bytes(EXCHANGE, groupElement("request"), groupElement("remote_addr"));
    public static final BytesField REQUEST_BODY = bytes(EXCHANGE, groupElement("request"), groupElement("body"));
    public static final VarHandle REQUEST_HEADERS = EXCHANGE.varHandle(groupElement("request"), groupElement("headers"));
    public static final VarHandle REQUEST_HEADER_COUNT = EXCHANGE.varHandle(groupElement("request"), groupElement("header_count"));
    public static final VarHandle REQUEST_HTTP_VERSION = EXCHANGE.varHandle(groupElement("request"), groupElement("http_version"));
    public static final VarHandle REQUEST_TIMEOUT_NS = EXCHANGE.varHandle(groupElement("request"), groupElement("timeout_ns"));

    // lb_exchange.response
    public static final VarHandle RESPONSE_STATUS = EXCHANGE.varHandle(groupElement("response"), groupElement("status"));
    public static final VarHandle RESPONSE_HEADER_COUNT = EXCHANGE.varHandle(groupElement("response"), groupElement("header_count"));
    public static final VarHandle RESPONSE_HEADERS = EXCHANGE.varHandle(groupElement("response"), groupElement("headers"));
    public static final BytesField RESPONSE_BODY = bytes(EXCHANGE, groupElement("response"), groupElement("body"));
    public static final VarHandle RESPONSE_BLOCK = EXCHANGE.varHandle(groupElement("response"), groupElement("block"));

    // lb_header (base = index * HEADER.byteSize())
    public static final BytesField HEADER_NAME = bytes(HEADER, groupElement("name"));
    public static final BytesField HEADER_VALUE = bytes(HEADER, groupElement("value"));

    // lb_native_api
    public static final VarHandle NATIVE_API_ABI_VERSION = NATIVE_API.varHandle(groupElement("abi_version"));
    public static final VarHandle NATIVE_API_RESPONSE_ALLOC = NATIVE_API.varHandle(groupElement("response_alloc"));
    public static final VarHandle NATIVE_API_COMPLETE = NATIVE_API.varHandle(groupElement("complete"));
    public static final VarHandle NATIVE_API_LOG = NATIVE_API.varHandle(groupElement("log"));

    // lb_java_api
    public static final VarHandle JAVA_API_ABI_VERSION = JAVA_API.varHandle(groupElement("abi_version"));
    public static final VarHandle JAVA_API_SUBMIT = JAVA_API.varHandle(groupElement("submit"));
    public static final VarHandle JAVA_API_ON_SIGHUP = JAVA_API.varHandle(groupElement("on_sighup"));
    public static final VarHandle JAVA_API_FLUSH = JAVA_API.varHandle(groupElement("flush"));

    private AbiLayouts() {}

    private static BytesField bytes(StructLayout layout, PathElement... path) {
        PathElement[] ptr = append(path, groupElement("ptr"));
        PathElement[] len = append(path, groupElement("len"));
        return new BytesField(layout.varHandle(ptr), layout.varHandle(len));
    }

    private static PathElement[] append(PathElement[] path, PathElement last) {
        PathElement[] all = java.util.Arrays.copyOf(path, path.length + 1);
        all[path.length] = last;
        return all;
    }
}
