package org.ocfupdate.provider.http.internal;

import java.io.IOException;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

import org.ocfupdate.provider.support.PrivateCaTrust;

/**
 * GET requests with the JDK's HttpClient, the body streamed buffer by buffer into a {@link Sink} (memory independent
 * of size). Redirects follow {@link HttpClient.Redirect#NORMAL}: never from https to http. The connect timeout and the
 * request timeout (until the response headers) are the JDK's; a body that stalls longer than the read timeout, and a
 * cancellation, abort the exchange from the waiting thread.
 */
final class HttpTransport {
    private static final long POLL_MS = 50;
    /** Buffers (16 KiB each in the JDK) the client may read ahead of the sink: bounded memory, no stop-and-go. */
    private static final int WINDOW = 64;

    /** Consumes the body, a few buffers at a time; throwing stops the transfer (what {@link #get} then throws). */
    interface Sink {
        void accept(List<ByteBuffer> buffers) throws IOException;
    }

    record Response(int status, HttpHeaders headers, URI uri) {
    }

    /** The action was cancelled while a request was in flight. */
    static final class Cancelled extends IOException {
        private static final long serialVersionUID = 1L;

        Cancelled() {
            super("cancelled");
        }
    }

    private final HttpClient client;
    private final Settings settings;

    HttpTransport(Settings settings) throws IOException, GeneralSecurityException {
        this.settings = settings;
        HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NORMAL).connectTimeout(settings.connectTimeout());
        ProxySelector proxies = ProxySelector.getDefault(); // http(s).proxyHost, java.net.useSystemProxies, ...
        if (proxies != null) {
            b.proxy(proxies);
        }
        if (settings.caFile() != null) {
            b.sslContext(PrivateCaTrust.sslContext(settings.caFile()));
        }
        this.client = b.build();
    }

    /**
     * GETs {@code uri}; {@code sinkFor} chooses where the body goes once the status is known.
     *
     * @throws Cancelled when {@code cancelled} became true
     * @throws HttpTimeoutException when no headers or no body bytes came within the read timeout
     * @throws IOException the connection failed, or what the sink threw
     */
    Response get(URI uri, Map<String, String> headers, BooleanSupplier cancelled,
            Function<HttpResponse.ResponseInfo, Sink> sinkFor) throws IOException {
        HttpRequest.Builder rb = HttpRequest.newBuilder(uri).GET().timeout(settings.readTimeout());
        headers.forEach(rb::header);
        var subscriber = new java.util.concurrent.atomic.AtomicReference<StreamingSubscriber>();
        CompletableFuture<HttpResponse<Void>> f = client.sendAsync(rb.build(), info -> {
            StreamingSubscriber s = new StreamingSubscriber(sinkFor.apply(info), cancelled);
            subscriber.set(s);
            return s;
        });
        long stallNanos = settings.readTimeout().toNanos();
        while (true) {
            try {
                HttpResponse<Void> r = f.get(POLL_MS, TimeUnit.MILLISECONDS);
                return new Response(r.statusCode(), r.headers(), r.uri());
            } catch (TimeoutException e) {
                StreamingSubscriber s = subscriber.get();
                if (cancelled.getAsBoolean()) {
                    abort(f, s, new Cancelled());
                } else if (s != null && System.nanoTime() - s.lastActivity > stallNanos) {
                    abort(f, s, new HttpTimeoutException("no data from " + uri.getHost() + " for "
                            + settings.readTimeout().toSeconds() + " s (read timeout)"));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                f.cancel(true);
                throw new Cancelled();
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                if (c instanceof IOException io) {
                    throw io;
                }
                throw new IOException(c.toString(), c);
            }
        }
    }

    private static void abort(CompletableFuture<?> f, StreamingSubscriber s, IOException why) {
        if (s != null) {
            s.abort(why);
        }
        f.completeExceptionally(why);
        f.cancel(true); // before the headers: the JDK aborts the exchange
    }

    /**
     * Hands the buffers to the sink as they come. Back-pressure keeps at most {@link #WINDOW} buffers requested and
     * not yet written, so memory does not grow with the body while the client never waits for the sink's request.
     */
    private static final class StreamingSubscriber implements HttpResponse.BodySubscriber<Void> {
        private final CompletableFuture<Void> done = new CompletableFuture<>();
        private final Sink sink;
        private final BooleanSupplier cancelled;
        private volatile Flow.Subscription subscription;
        volatile long lastActivity = System.nanoTime();

        StreamingSubscriber(Sink sink, BooleanSupplier cancelled) {
            this.sink = sink;
            this.cancelled = cancelled;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            lastActivity = System.nanoTime();
            s.request(WINDOW);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            lastActivity = System.nanoTime();
            try {
                if (cancelled.getAsBoolean()) {
                    throw new Cancelled();
                }
                sink.accept(buffers);
                subscription.request(1);
            } catch (IOException | RuntimeException e) {
                abort(e instanceof IOException io ? io : new IOException(e.toString(), e));
            }
        }

        void abort(IOException why) {
            Flow.Subscription s = subscription;
            if (s != null) {
                s.cancel(); // the JDK closes the connection
            }
            done.completeExceptionally(why);
        }

        @Override
        public void onError(Throwable t) {
            done.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            done.complete(null);
        }

        @Override
        public CompletionStage<Void> getBody() {
            return done;
        }
    }
}
