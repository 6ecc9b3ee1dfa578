package org.ocfupdate.pstat.internal.coap;

import java.nio.file.Path;
import java.util.UUID;

/**
 * What the DTLS server asks of the device's ownership-transfer state at each handshake (docs/onboarding.md): which
 * PSK identity hint to send, whether a transfer handshake (Just-Works 0xFF00, Random-PIN PSK, manufacturer
 * certificate) is allowed now, and with which key. Registered as a service by the onboarding state; without one the
 * device behaves as in {@code ownership=self}: ordinary sessions only.
 */
public interface TransferSecurity {
    /** No transfer handshake is allowed now (not RFOTM, or {@code oxmsel} 4 or not chosen yet). */
    int NONE = -1;

    /** The device UUID now (doxm {@code deviceuuid}); its 16 bytes are the hint of ordinary sessions. */
    UUID deviceUuid();

    /**
     * The transfer method a handshake may use now: 0 Just-Works, 1 Random PIN, 2 manufacturer certificate, or
     * {@link #NONE}. Non-negative only in RFOTM after an anonymous {@code oxmsel} write.
     */
    int transferOxm();

    /** During a Random-PIN transfer ({@link #transferOxm()} 1): the transfer PSK derived from the PIN, else null. */
    byte[] randomPinPsk();

    /** The manufacturer certificate chain (PEM) for the certificate method, or null when none is configured. */
    Path manufacturerCertificate();

    /** The private key (PEM) of {@link #manufacturerCertificate()}, or null. */
    Path manufacturerKey();
}
