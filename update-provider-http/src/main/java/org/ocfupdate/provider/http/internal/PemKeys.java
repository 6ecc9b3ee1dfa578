package org.ocfupdate.provider.http.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Trusted public keys (PEM SubjectPublicKeyInfo, ECDSA P-256 or Ed25519) and detached signatures as the release
 * descriptor carries them (the same as manifest.json's). The engine's Keys is internal to pstat-impl, so this is a
 * small copy of the same rules.
 */
final class PemKeys {
    private static final Pattern PEM = Pattern.compile("-----BEGIN ([A-Z ]+)-----([^-]+)-----END \\1-----");

    private PemKeys() {
    }

    static PublicKey readPublic(Path file) throws IOException, GeneralSecurityException {
        Matcher m = PEM.matcher(Files.readString(file, StandardCharsets.US_ASCII));
        while (m.find()) {
            if (m.group(1).equals("PUBLIC KEY")) {
                byte[] der = Base64.getMimeDecoder().decode(m.group(2));
                String algorithm = der.length < 60 ? "Ed25519" : "EC"; // an Ed25519 SPKI is 44 bytes, a P-256 one 91
                PublicKey key = KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
                if (key instanceof ECPublicKey ec && ec.getParams().getCurve().getField().getFieldSize() != 256) {
                    throw new GeneralSecurityException(file + ": only P-256 EC keys are accepted");
                }
                return key;
            }
        }
        throw new GeneralSecurityException(file + ": no PEM block 'PUBLIC KEY'");
    }

    /** True when one of {@code keys} signed {@code data}. */
    static boolean verifiedByAny(List<PublicKey> keys, byte[] data, byte[] signature) {
        return keys.stream().anyMatch(k -> verify(k, data, signature));
    }

    static boolean verify(PublicKey key, byte[] data, byte[] signature) {
        try {
            Signature s = Signature.getInstance(key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "Ed25519");
            s.initVerify(key);
            s.update(data);
            return s.verify(signature);
        } catch (GeneralSecurityException e) {
            return false; // a malformed signature is a bad signature
        }
    }
}
