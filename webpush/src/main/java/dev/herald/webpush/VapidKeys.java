package dev.herald.webpush;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An application server's VAPID key pair (RFC 8292): P-256, the public half given to browsers as
 * {@code applicationServerKey}. Immutable. Every factory checks that the two halves belong together,
 * because a mismatched pair fails only later, at the push service, as an opaque 401/403.
 */
public record VapidKeys(ECPublicKey publicKey, ECPrivateKey privateKey) {
    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");

    public VapidKeys {
        if (publicKey == null || privateKey == null) {
            throw new IllegalArgumentException("VAPID public and private keys are both required");
        }
        if (!EcKeys.isP256(publicKey.getParams()) || !EcKeys.isP256(privateKey.getParams())) {
            throw new IllegalArgumentException("VAPID keys must be on the P-256 curve");
        }
        checkPair(publicKey, privateKey);
    }

    public static VapidKeys generate() {
        KeyPair pair = Primitives.newP256KeyPair();
        return new VapidKeys((ECPublicKey) pair.getPublic(), (ECPrivateKey) pair.getPrivate());
    }

    /** From the base64url forms the npm web-push CLI prints (65-byte public point, 32-byte private scalar). */
    public static VapidKeys fromBase64Url(String publicKey, String privateKey) {
        return new VapidKeys(
                EcKeys.publicKey(Base64Url.decode(publicKey, "VAPID public key"), "VAPID public key"),
                EcKeys.privateKey(Base64Url.decode(privateKey, "VAPID private key"), "VAPID private key"));
    }

    /** From PEM text holding a {@code PRIVATE KEY} (PKCS#8) block and a {@code PUBLIC KEY} (X.509) block. */
    public static VapidKeys fromPem(String pem) {
        byte[] pkcs8 = null;
        byte[] spki = null;
        Matcher m = PEM.matcher(pem == null ? "" : pem);
        while (m.find()) {
            byte[] der;
            try {
                der = Base64.getMimeDecoder().decode(m.group(2));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("PEM block '" + m.group(1) + "' is not valid base64");
            }
            switch (m.group(1)) {
                case "PRIVATE KEY" -> pkcs8 = der;
                case "PUBLIC KEY" -> spki = der;
                case "EC PRIVATE KEY" -> throw new IllegalArgumentException(
                        "SEC1 'EC PRIVATE KEY' PEM is not supported; convert it with "
                                + "'openssl pkcs8 -topk8 -nocrypt' and add the 'PUBLIC KEY' block");
                default -> throw new IllegalArgumentException("unexpected PEM block '" + m.group(1) + "'");
            }
        }
        if (pkcs8 == null || spki == null) {
            throw new IllegalArgumentException("VAPID PEM needs both a 'PRIVATE KEY' and a 'PUBLIC KEY' block");
        }
        try {
            KeyFactory factory = KeyFactory.getInstance("EC");
            return new VapidKeys((ECPublicKey) factory.generatePublic(new X509EncodedKeySpec(spki)),
                    (ECPrivateKey) factory.generatePrivate(new PKCS8EncodedKeySpec(pkcs8)));
        } catch (GeneralSecurityException | ClassCastException e) {
            throw new IllegalArgumentException("VAPID PEM does not hold a P-256 key pair");
        }
    }

    /** The public key as browsers take it for {@code applicationServerKey}. */
    public String publicKeyBase64Url() {
        return Base64Url.encode(EcKeys.raw(publicKey));
    }

    public String privateKeyBase64Url() {
        return Base64Url.encode(EcKeys.raw(privateKey));
    }

    public String toPem() {
        Base64.Encoder mime = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
        return "-----BEGIN PRIVATE KEY-----\n" + mime.encodeToString(privateKey.getEncoded()) + "\n-----END PRIVATE KEY-----\n"
                + "-----BEGIN PUBLIC KEY-----\n" + mime.encodeToString(publicKey.getEncoded()) + "\n-----END PUBLIC KEY-----\n";
    }

    /** Keeps the private key out of logs and exception messages. */
    @Override
    public String toString() {
        return "VapidKeys[public=" + publicKeyBase64Url() + "]";
    }

    static byte[] sign(ECPrivateKey key, byte[] data) {
        try {
            Signature signature = Signature.getInstance("SHA256withECDSAinP1363Format");
            signature.initSign(key);
            signature.update(data);
            return signature.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ES256 signing failed", e);
        }
    }

    static boolean verify(ECPublicKey key, byte[] data, byte[] p1363Signature) {
        try {
            Signature signature = Signature.getInstance("SHA256withECDSAinP1363Format");
            signature.initVerify(key);
            signature.update(data);
            return signature.verify(p1363Signature);
        } catch (java.security.SignatureException e) {
            return false;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ES256 verification unavailable", e);
        }
    }

    private static void checkPair(ECPublicKey publicKey, ECPrivateKey privateKey) {
        byte[] probe = "herald-vapid-pair-check".getBytes(StandardCharsets.US_ASCII);
        if (!verify(publicKey, probe, sign(privateKey, probe))) {
            throw new IllegalArgumentException("VAPID public key does not belong to the private key");
        }
    }
}
