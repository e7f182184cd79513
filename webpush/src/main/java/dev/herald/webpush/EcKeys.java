package dev.herald.webpush;

import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPrivateKeySpec;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.EllipticCurve;

/** P-256 keys to and from the raw forms Web Push uses (65-byte uncompressed points, 32-byte scalars). */
final class EcKeys {
    static final ECParameterSpec P256 = p256();
    private static final EllipticCurve CURVE = P256.getCurve();
    private static final BigInteger P = ((java.security.spec.ECFieldFp) CURVE.getField()).getP();

    private EcKeys() {}

    /**
     * Parses an uncompressed point and checks that it lies on P-256, so an invalid-curve point is refused
     * here with a clear message rather than deep inside key agreement.
     */
    static ECPublicKey publicKey(byte[] raw, String what) {
        if (raw.length != 65 || raw[0] != 0x04) {
            throw new IllegalArgumentException(what + " must be an uncompressed P-256 point (65 bytes starting 0x04), got "
                    + raw.length + " bytes");
        }
        BigInteger x = new BigInteger(1, raw, 1, 32);
        BigInteger y = new BigInteger(1, raw, 33, 32);
        if (x.compareTo(P) >= 0 || y.compareTo(P) >= 0
                || !y.multiply(y).subtract(x.pow(3).add(CURVE.getA().multiply(x)).add(CURVE.getB())).mod(P).equals(BigInteger.ZERO)) {
            throw new IllegalArgumentException(what + " is not a point on the P-256 curve");
        }
        try {
            return (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(new ECPoint(x, y), P256));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(what + " is not a usable P-256 public key: " + e.getMessage());
        }
    }

    static ECPrivateKey privateKey(byte[] raw, String what) {
        if (raw.length != 32) {
            throw new IllegalArgumentException(what + " must be a 32-byte P-256 private key, got " + raw.length + " bytes");
        }
        BigInteger s = new BigInteger(1, raw);
        if (s.signum() == 0 || s.compareTo(P256.getOrder()) >= 0) {
            throw new IllegalArgumentException(what + " is out of range for P-256");
        }
        try {
            return (ECPrivateKey) KeyFactory.getInstance("EC").generatePrivate(new ECPrivateKeySpec(s, P256));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(what + " is not a usable P-256 private key: " + e.getMessage());
        }
    }

    static byte[] raw(ECPublicKey key) {
        byte[] out = new byte[65];
        out[0] = 0x04;
        copyFixed(key.getW().getAffineX(), out, 1);
        copyFixed(key.getW().getAffineY(), out, 33);
        return out;
    }

    static byte[] raw(ECPrivateKey key) {
        byte[] out = new byte[32];
        copyFixed(key.getS(), out, 0);
        return out;
    }

    static boolean isP256(ECParameterSpec spec) {
        return spec != null && spec.getCurve().equals(CURVE) && spec.getGenerator().equals(P256.getGenerator());
    }

    private static void copyFixed(BigInteger value, byte[] out, int offset) {
        byte[] bytes = value.toByteArray();
        int skip = bytes.length > 32 ? bytes.length - 32 : 0;
        int len = bytes.length - skip;
        System.arraycopy(bytes, skip, out, offset + 32 - len, len);
    }

    private static ECParameterSpec p256() {
        try {
            AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
            params.init(new ECGenParameterSpec("secp256r1"));
            return params.getParameterSpec(ECParameterSpec.class);
        } catch (GeneralSecurityException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
