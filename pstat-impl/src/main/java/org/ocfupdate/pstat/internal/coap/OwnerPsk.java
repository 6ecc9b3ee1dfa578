package org.ocfupdate.pstat.internal.coap;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.spec.KeySpec;
import java.util.UUID;

import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The two key derivations of ownership transfer (docs/onboarding.md, "Derivations"), as IoTivity-Lite computes them
 * ({@code oc_sec_derive_owner_psk} and the Random-PIN PSK in {@code security/oc_tls.c}):
 * <ul>
 * <li>the owner PSK: {@code PRF_SHA256(key_block, label, tool_uuid || new_device_uuid)}, the first 16 bytes, label
 * by transfer method;</li>
 * <li>the Random-PIN transfer PSK: PBKDF2-HMAC-SHA256(PIN, salt = the 16 bytes of the device UUID, 1000
 * iterations, 16 bytes).</li>
 * </ul>
 * Scandium's TLS PRF is not public for other labels, and the TLS 1.2 PRF is a few lines of HMAC (RFC 5246 §5).
 */
public final class OwnerPsk {
    /** The labels of the methods 0 (Just-Works), 1 (Random PIN), 2 (manufacturer certificate). */
    static final String[] LABELS = {"oic.sec.doxm.jw", "oic.sec.doxm.rdp", "oic.sec.doxm.mfgcert"};
    static final int LENGTH = 16;

    private OwnerPsk() {
    }

    /**
     * The owner PSK both sides derive from the transfer session.
     *
     * @param keyBlock the TLS key block of the transfer session
     * @param oxm      the transfer method (0, 1, 2)
     * @throws IllegalArgumentException for another method or without a key block
     */
    public static byte[] derive(byte[] keyBlock, int oxm, UUID tool, UUID newDevice) {
        if (oxm < 0 || oxm >= LABELS.length) {
            throw new IllegalArgumentException("no owner-PSK derivation for oxm " + oxm);
        }
        if (keyBlock == null || keyBlock.length == 0) {
            throw new IllegalArgumentException("no key block of the transfer session");
        }
        byte[] seed = ByteBuffer.allocate(32).put(bytes(tool)).put(bytes(newDevice)).array();
        return prf(keyBlock, LABELS[oxm].getBytes(StandardCharsets.US_ASCII), seed, LENGTH);
    }

    /** The PSK of a Random-PIN transfer session. */
    public static byte[] randomPin(String pin, UUID device) {
        try {
            KeySpec spec = new PBEKeySpec(pin.toCharArray(), bytes(device), 1000, LENGTH * 8);
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is part of every Java 17 runtime", e);
        }
    }

    /** The 16 bytes of a UUID, most significant first (the form of OCF identities on the wire). */
    public static byte[] bytes(UUID u) {
        return ByteBuffer.allocate(16).putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits()).array();
    }

    /** TLS 1.2 PRF with SHA-256: P_SHA256(secret, label || seed), {@code length} bytes. */
    static byte[] prf(byte[] secret, byte[] label, byte[] seed, int length) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            byte[] labelSeed = ByteBuffer.allocate(label.length + seed.length).put(label).put(seed).array();
            byte[] out = new byte[length];
            byte[] a = labelSeed;
            for (int done = 0; done < length;) {
                a = mac.doFinal(a);
                mac.update(a);
                byte[] chunk = mac.doFinal(labelSeed);
                int n = Math.min(chunk.length, length - done);
                System.arraycopy(chunk, 0, out, done, n);
                done += n;
            }
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java 17 runtime", e);
        }
    }
}
