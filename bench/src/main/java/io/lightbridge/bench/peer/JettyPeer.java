package io.lightbridge.bench.peer;

import io.lightbridge.pipeline.Handler;
import io.lightbridge.pipeline.Headers;
import io.lightbridge.pipeline.Request;
import io.lightbridge.pipeline.Response;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * Peers (c) and (e): the Lightbridge pipeline hosted by Jetty 12 (core Handler API, no servlets) — the "model
 * behind a Java microservice" users would otherwise build. Jetty's own thread pool runs the pipeline, which is
 * what such a service does; the pipeline object is the very one mod_lightbridge runs.
 */
public final class JettyPeer implements AutoCloseable {

    /** Jetty's default pool bounds, stated so the report can name them. */
    public static final int MAX_THREADS = 200;
    public static final int MIN_THREADS = 8;
    /** Bodies above this are refused with 413, as lighttpd's module refuses them. */
    private static final int MAX_BODY = 16 * 1024 * 1024;

    private final Server server;
    private final ServerConnector connector;

    public JettyPeer(Handler pipeline, String host, int port) throws Exception {
        server = new Server(new QueuedThreadPool(MAX_THREADS, MIN_THREADS));
        connector = new ServerConnector(server);
        connector.setHost(host);
        connector.setPort(port);
        server.addConnector(connector);
        server.setHandler(new PipelineHandler(pipeline));
        server.start();
    }

    public int port() {
        return connector.getLocalPort();
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }

    /** Adapts Jetty's request to {@link Request} and writes the pipeline's {@link Response} back. */
    private static final class PipelineHandler extends org.eclipse.jetty.server.Handler.Abstract {
        private final Handler pipeline;

        PipelineHandler(Handler pipeline) {
            this.pipeline = pipeline;
        }

        @Override
        public boolean handle(org.eclipse.jetty.server.Request request, org.eclipse.jetty.server.Response response,
                              Callback callback) throws Exception {
            long length = request.getLength();
            if (length > MAX_BODY) {
                write(response, callback, Response.error(413, "request body larger than " + MAX_BODY + " bytes"));
                return true;
            }
            ByteBuffer body = Content.Source.asByteBuffer(request);
            var headers = new ArrayList<Headers.Header>(request.getHeaders().size());
            for (HttpField f : request.getHeaders()) {
                headers.add(new Headers.Header(f.getName(), f.getValue()));
            }
            var uri = request.getHttpURI();
            Response answer = pipeline.handle(new Request(request.getMethod(), uri.getDecodedPath(), uri.getQuery(),
                    Headers.of(headers), org.eclipse.jetty.server.Request.getRemoteAddr(request),
                    BufferUtil.toArray(body)));
            write(response, callback, answer);
            return true;
        }

        private static void write(org.eclipse.jetty.server.Response response, Callback callback, Response answer) {
            response.setStatus(answer.status());
            for (Headers.Header h : answer.headers().all()) {
                response.getHeaders().add(h.name(), h.value());
            }
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, answer.body().length);
            response.write(true, ByteBuffer.wrap(answer.body()), callback);
        }
    }
}
