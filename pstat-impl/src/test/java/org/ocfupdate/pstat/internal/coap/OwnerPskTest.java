package org.ocfupdate.pstat.internal.coap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HexFormat;
import java.util.UUID;

import org.junit.jupiter.api.Test;

/**
 * Known answers computed independently of this code, with Python's standard library (hmac, hashlib):
 *
 * <pre>
 * import hmac, hashlib
 * def prf(secret, label, seed, n):            # TLS 1.2 PRF, P_SHA256 (RFC 5246 section 5)
 *     out = b''; a = label + seed
 *     while len(out) &lt; n:
 *         a = hmac.new(secret, a, hashlib.sha256).digest()
 *         out += hmac.new(secret, a + label + seed, hashlib.sha256).digest()
 *     return out[:n]
 * tool = bytes.fromhex('11111111222233334444555555555555')
 * dev = bytes.fromhex('aaaaaaaabbbbccccddddeeeeeeeeeeee')
 * prf(bytes(range(96)), b'oic.sec.doxm.jw', tool + dev, 16).hex()       # and .rdp, .mfgcert
 * prf(bytes(range(40)), b'oic.sec.doxm.jw', tool + dev, 16).hex()       # AES-128-CCM key block
 * hashlib.pbkdf2_hmac('sha256', b'12345678', dev, 1000, 16).hex()
 * hashlib.pbkdf2_hmac('sha256', b'00000000', tool, 1000, 16).hex()
 * </pre>
 */
class OwnerPskTest {
    static final UUID TOOL = UUID.fromString("11111111-2222-3333-4444-555555555555");
    static final UUID DEVICE = UUID.fromString("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");

    static byte[] hex(String h) {
        return HexFormat.of().parseHex(h);
    }

    static byte[] range(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) i;
        }
        return b;
    }

    @Test
    void ownerPskOfEachMethodFromACbcKeyBlock() {
        assertArrayEquals(hex("503c9dd91a1c8cffa3cd354afbd21dd0"), OwnerPsk.derive(range(96), 0, TOOL, DEVICE));
        assertArrayEquals(hex("691175927df2f5ec1c928fe01c5b668b"), OwnerPsk.derive(range(96), 1, TOOL, DEVICE));
        assertArrayEquals(hex("e290ca50cbdce6d4a5c4b5a2743341cf"), OwnerPsk.derive(range(96), 2, TOOL, DEVICE));
    }

    @Test
    void ownerPskFromACcmKeyBlock() {
        assertArrayEquals(hex("61690dc1834734205202154315c2a259"), OwnerPsk.derive(range(40), 0, TOOL, DEVICE));
    }

    @Test
    void randomPinPsk() {
        assertArrayEquals(hex("07d0a4114714709a36e808d32fb65816"), OwnerPsk.randomPin("12345678", DEVICE));
        assertArrayEquals(hex("c468b449cbc19b59b915b763a623c0da"), OwnerPsk.randomPin("00000000", TOOL));
    }

    @Test
    void noDerivationWithoutAMethodOrAKeyBlock() {
        assertThrows(IllegalArgumentException.class, () -> OwnerPsk.derive(range(96), 4, TOOL, DEVICE));
        assertThrows(IllegalArgumentException.class, () -> OwnerPsk.derive(null, 0, TOOL, DEVICE));
    }
}
