package org.ocfupdate.pstat.internal.coap;

import org.eclipse.californium.scandium.config.DtlsConfig;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Initialises Scandium's {@link DtlsConfig} on a thread of its own as soon as this bundle starts, instead of on the
 * framework's start-level thread when {@link CoapServerComponent} is built. Its class initialisation finds the usable
 * elliptic curves by generating a key pair for each one the JCE offers ({@code XECDHECryptography.SupportedGroup}) and
 * sets up the JCE (providers, AES-GCM/CCM): ~0.2 s of a cold JVM, which the start-level thread would otherwise
 * spend before the first CoAP answer, after the SVR state, the access control and Jackson it loads first
 * (docs/benchmarks.md, "Start-up, third round"). Nothing is shared but the class: if the CoAP server needs
 * {@code DtlsConfig} before this thread is done, the JVM's class initialisation lock makes it wait for the same
 * initialisation, which then happens once, as before (on one core the work is only interleaved, not added).
 */
@Component(immediate = true, service = {})
public class DtlsWarmup {
    private static final Logger LOG = LoggerFactory.getLogger(DtlsWarmup.class);

    @Activate
    void activate() {
        Thread t = new Thread(DtlsWarmup::initialise, "ocf-dtls-warmup");
        t.setDaemon(true); // never holds the JVM or the bundle's stop
        t.start();
    }

    static void initialise() {
        try {
            Class.forName(DtlsConfig.class.getName(), true, DtlsConfig.class.getClassLoader());
        } catch (Throwable e) {
            // the CoAP server then fails with NoClassDefFoundError, which does not say why: this line does
            LOG.warn("Scandium's DTLS configuration cannot be initialised; CoAPs will not start", e);
        }
    }
}
