package org.ocfupdate.gateway.support;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPrivateKeySpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PEM keys and signatures of update packages: ECDSA P-256 with SHA-256 (DER, as {@code openssl dgst -sha256 -sign}
 * writes it) and Ed25519 (as {@code openssl pkeyutl -sign -rawin}). Public keys are X.509 SubjectPublicKeyInfo;
 * private keys PKCS#8 or SEC1 ({@code BEGIN EC PRIVATE KEY}, what {@code openssl ecparam -genkey} writes), read
 * here without a crypto library since the JDK reads only PKCS#8.
 */
public final class Keys {
    private static final Pattern PEM = Pattern.compile("-----BEGIN ([A-Z ]+)-----([^-]+)-----END \\1-----");

    private Keys() {
    }

    public static PublicKey readPublic(Path file) throws IOException, GeneralSecurityException {
        byte[] der = pem(Files.readString(file, StandardCharsets.US_ASCII), "PUBLIC KEY", file);
        String algorithm = der.length < 60 ? "Ed25519" : "EC"; // an Ed25519 SPKI is 44 bytes, a P-256 one 91
        PublicKey key = KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
        if (key instanceof ECPublicKey ec && ec.getParams().getCurve().getField().getFieldSize() != 256) {
            throw new GeneralSecurityException(file + ": only P-256 EC keys are accepted");
        }
        return key;
    }

    public static PrivateKey readPrivate(Path file) throws IOException, GeneralSecurityException {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        if (text.contains("BEGIN EC PRIVATE KEY")) {
            return sec1(pem(text, "EC PRIVATE KEY", file));
        }
        byte[] der = pem(text, "PRIVATE KEY", file);
        try {
            return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            return KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(der));
        }
    }

    public static String toPem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    public static byte[] sign(PrivateKey key, byte[] data) throws GeneralSecurityException {
        Signature s = Signature.getInstance(algorithm(key.getAlgorithm()));
        s.initSign(key);
        s.update(data);
        return s.sign();
    }

    public static boolean verify(PublicKey key, byte[] data, byte[] signature) {
        try {
            Signature s = Signature.getInstance(algorithm(key.getAlgorithm()));
            s.initVerify(key);
            s.update(data);
            return s.verify(signature);
        } catch (GeneralSecurityException e) {
            return false; // a malformed signature is a bad signature
        }
    }

    private static String algorithm(String keyAlgorithm) {
        return keyAlgorithm.equals("EC") ? "SHA256withECDSA" : "Ed25519";
    }

    private static byte[] pem(String text, String type, Path file) throws GeneralSecurityException {
        Matcher m = PEM.matcher(text);
        while (m.find()) {
            if (m.group(1).equals(type)) {
                return Base64.getMimeDecoder().decode(m.group(2));
            }
        }
        throw new GeneralSecurityException(file + ": no PEM block '" + type + "'");
    }

    /** RFC 5915 ECPrivateKey: SEQUENCE { INTEGER 1, OCTET STRING d, [0] OID, [1] BIT STRING }; P-256 only. */
    private static PrivateKey sec1(byte[] der) throws GeneralSecurityException {
        int i = 0;
        if ((der[i++] & 0xff) != 0x30) {
            throw new GeneralSecurityException("SEC1 key: not a sequence");
        }
        i += (der[i] & 0x80) != 0 ? 1 + (der[i] & 0x7f) : 1; // sequence length
        if (der[i] != 0x02 || der[i + 1] != 0x01 || der[i + 2] != 0x01) {
            throw new GeneralSecurityException("SEC1 key: unsupported version");
        }
        i += 3;
        if (der[i] != 0x04) {
            throw new GeneralSecurityException("SEC1 key: no private key octets");
        }
        int len = der[i + 1];
        byte[] d = Arrays.copyOfRange(der, i + 2, i + 2 + len);
        byte[] p256 = {0x06, 0x08, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x03, 0x01, 0x07};
        int rest = i + 2 + len;
        if (rest < der.length && !containsAt(der, rest, p256)) {
            throw new GeneralSecurityException("SEC1 key: only P-256 (prime256v1) keys are accepted");
        }
        AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
        params.init(new ECGenParameterSpec("secp256r1"));
        ECParameterSpec spec = params.getParameterSpec(ECParameterSpec.class);
        return KeyFactory.getInstance("EC").generatePrivate(new ECPrivateKeySpec(new BigInteger(1, d), spec));
    }

    private static boolean containsAt(byte[] der, int from, byte[] needle) {
        for (int i = from; i + needle.length <= der.length; i++) {
            if (Arrays.equals(der, i, i + needle.length, needle, 0, needle.length)) {
                return true;
            }
        }
        return false;
    }
}
