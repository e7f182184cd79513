package dev.herald.webpush;

import java.security.Provider;
import java.security.Security;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the JCA provider that does Web Push's elliptic-curve and AES work.
 *
 * <p>The Amazon Corretto Crypto Provider (AWS-LC, native code shipped inside its jar) does a P-256
 * key generation plus ECDH an order of magnitude faster than the JDK's SunEC, which is most of the
 * cost of an encrypted push. It is installed as the most preferred provider when its native library
 * loads on this OS and architecture; otherwise the JDK providers are used unchanged. Setting the
 * system property {@code herald.crypto.native=false} keeps the JDK providers.
 *
 * <p>Installing is idempotent and thread-safe. The provider list is JVM-wide state by nature, which is
 * why this is the one static switch in the library.
 */
public final class CryptoProviders {
    private static final Logger log = LoggerFactory.getLogger(CryptoProviders.class);
    private static final String ACCP = "com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider";
    private static Active active;

    /** The provider that serves {@code KeyPairGenerator("EC")} after {@link #install()}. */
    public record Active(String name, String version, boolean nativeCode) {
        @Override
        public String toString() {
            return name + " " + version + (nativeCode ? " (native)" : " (JDK)");
        }
    }

    private CryptoProviders() {}

    /** Installs the native provider when possible and returns what is active; logs it the first time. */
    public static synchronized Active install() {
        if (active != null) {
            return active;
        }
        String failure = tryInstallAccp();
        try {
            Provider ec = java.security.KeyPairGenerator.getInstance("EC").getProvider();
            active = new Active(ec.getName(), ec.getVersionStr(), failure == null);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no EC key pair generator", e);
        }
        if (failure == null) {
            log.info("crypto provider: {}", active);
        } else {
            log.info("crypto provider: {} ({})", active, failure);
        }
        return active;
    }

    private static String tryInstallAccp() {
        if ("false".equalsIgnoreCase(System.getProperty("herald.crypto.native"))) {
            return "native provider disabled by herald.crypto.native=false";
        }
        try {
            Class<?> type = Class.forName(ACCP);
            Object error = type.getMethod("getLoadingError").invoke(type.getField("INSTANCE").get(null));
            if (error != null) {
                return "Amazon Corretto Crypto Provider did not load: " + error;
            }
            type.getMethod("install").invoke(null);
            Provider first = Security.getProviders()[0];
            return first.getClass().getName().equals(ACCP) ? null : "Amazon Corretto Crypto Provider not first";
        } catch (ClassNotFoundException e) {
            return "Amazon Corretto Crypto Provider not on the class path";
        } catch (ReflectiveOperationException | LinkageError e) {
            return "Amazon Corretto Crypto Provider unusable: " + e;
        }
    }
}
