package dev.herald.bench;

import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A real HTTP/2-over-TLS push-service stand-in: Debian's nginx in the foreground with one worker, a throw-away
 * self-signed certificate made with {@code openssl} at start and a PKCS#12 trust store for Java clients.
 * Port {@link #port()} answers {@code 201} with a {@code Location} at {@code /p/…}; port {@link #mixPort()} answers
 * a fixed mix: endpoints ending in {@code 07} are gone (410) every time, and of the rest, by request, 2 % are 429
 * and 1 % 503 (both with {@code Retry-After: 1}) so retries converge; everything else 201.
 */
final class NginxPeer implements AutoCloseable {
    static final String TRUST_PASSWORD = "changeit";

    private final Path dir;
    private final Process nginx;
    private final int port;
    private final int mixPort;

    private NginxPeer(Path dir, Process nginx, int port, int mixPort) {
        this.dir = dir;
        this.nginx = nginx;
        this.port = port;
        this.mixPort = mixPort;
    }

    static NginxPeer start() throws Exception {
        Path dir = Files.createTempDirectory("herald-nginx");
        run(dir, "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", "key.pem", "-out", "cert.pem", "-days", "2", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1");
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("nginx", certificate(dir));
        try (OutputStream out = Files.newOutputStream(dir.resolve("trust.p12"))) {
            trust.store(out, TRUST_PASSWORD.toCharArray());
        }
        int port = freePort();
        int mixPort = freePort();
        Files.writeString(dir.resolve("nginx.conf"), config(dir, port, mixPort));
        Process nginx = new ProcessBuilder("/usr/sbin/nginx", "-p", dir + "/", "-c", dir.resolve("nginx.conf").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("nginx.out").toFile()).start();
        for (int i = 0; i < 100 && !(listening(port) && listening(mixPort)); i++) {
            if (!nginx.isAlive()) {
                throw new IllegalStateException("nginx exited; see " + dir.resolve("nginx.out") + " and error.log");
            }
            Thread.sleep(50);
        }
        return new NginxPeer(dir, nginx, port, mixPort);
    }

    private static String config(Path dir, int port, int mixPort) {
        String tls = "    ssl_certificate " + dir.resolve("cert.pem") + ";\n    ssl_certificate_key " + dir.resolve("key.pem") + ";\n";
        return """
                daemon off;
                worker_processes 1;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log warn;
                events { worker_connections 8192; }
                http {
                  access_log off;
                  client_body_temp_path %1$s/body;
                  proxy_temp_path %1$s/proxy;
                  fastcgi_temp_path %1$s/fastcgi;
                  uwsgi_temp_path %1$s/uwsgi;
                  scgi_temp_path %1$s/scgi;
                  keepalive_requests 100000000;
                  keepalive_timeout 300s;
                  http2_max_concurrent_streams 256;
                  split_clients "${request_id}" $answer { 2%% 429; 1%% 503; * 201; }
                  server {
                    listen 127.0.0.1:%2$d ssl http2;
                %4$s
                    location /p/ { add_header Location "https://127.0.0.1:%2$d/m/$request_id"; return 201; }
                  }
                  server {
                    listen 127.0.0.1:%3$d ssl http2;
                %4$s
                    location ~ 07$ { return 410 "expired\\n"; }
                    location /p/ {
                      if ($answer = 429) { add_header Retry-After 1 always; return 429; }
                      if ($answer = 503) { add_header Retry-After 1 always; return 503; }
                      add_header Location "https://127.0.0.1:%3$d/m/$request_id";
                      return 201;
                    }
                  }
                }
                """.formatted(dir, port, mixPort, tls);
    }

    int port() {
        return port;
    }

    int mixPort() {
        return mixPort;
    }

    String origin() {
        return "https://127.0.0.1:" + port;
    }

    String mixOrigin() {
        return "https://127.0.0.1:" + mixPort;
    }

    Path cert() {
        return dir.resolve("cert.pem");
    }

    Path trustStore() {
        return dir.resolve("trust.p12");
    }

    /** JVM flags that make a child Java process trust this nginx. */
    List<String> trustFlags() {
        return List.of("-Djavax.net.ssl.trustStore=" + trustStore(), "-Djavax.net.ssl.trustStorePassword=" + TRUST_PASSWORD,
                "-Djavax.net.ssl.trustStoreType=PKCS12");
    }

    SSLContext sslContext() throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("nginx", certificate(dir));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    private static Certificate certificate(Path dir) throws Exception {
        return CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(Files.readAllBytes(dir.resolve("cert.pem"))));
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    private static void run(Path dir, String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("setup.log").toFile()).start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed; see " + dir.resolve("setup.log"));
        }
    }

    @Override
    public void close() throws Exception {
        nginx.destroy();
        if (!nginx.waitFor(10, TimeUnit.SECONDS)) {
            nginx.destroyForcibly();
        }
    }
}
