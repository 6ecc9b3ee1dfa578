package org.ocfupdate.update.engine.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.ocfupdate.gateway.support.Keys;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The public keys that may sign update packages (PID {@code org.ocfupdate.trust}). A key file that cannot be read
 * is logged and left out: it never widens trust. No key configured means every package is refused.
 */
@Component(service = TrustKeys.class, configurationPid = "org.ocfupdate.trust")
@Designate(ocd = TrustKeys.Config.class)
public class TrustKeys {
    private static final Logger LOG = LoggerFactory.getLogger(TrustKeys.class);

    @ObjectClassDefinition(name = "OCF update trusted signing keys",
            description = "Public keys (PEM, ECDSA P-256 or Ed25519) whose signatures on update packages are trusted.")
    public @interface Config {
        @AttributeDefinition(description = "Paths of PEM public keys, comma-separated.")
        String keys() default "";
    }

    /** One trusted key and the file it came from. */
    public record TrustedKey(Path file, PublicKey key) {
    }

    private volatile List<TrustedKey> keys = List.of();

    @Activate
    @Modified
    void configure(Config config) {
        keys = load(config.keys());
    }

    static List<TrustedKey> load(String paths) {
        List<TrustedKey> loaded = new ArrayList<>();
        for (String p : Arrays.stream(paths.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList()) {
            Path file = Paths.get(p);
            try {
                loaded.add(new TrustedKey(file, Keys.readPublic(file)));
            } catch (IOException | GeneralSecurityException | RuntimeException e) {
                LOG.error("Signing key {} is not trusted: cannot read it ({})", file, e.getMessage());
            }
        }
        if (loaded.isEmpty()) {
            LOG.warn("No trusted signing key: every update package will be refused until org.ocfupdate.trust keys is set");
        } else {
            LOG.info("Trusted signing keys: {}", loaded.stream().map(k -> k.file().toString()).toList());
        }
        return List.copyOf(loaded);
    }

    public List<TrustedKey> keys() {
        return keys;
    }

    public List<PublicKey> publicKeys() {
        return keys.stream().map(TrustedKey::key).toList();
    }
}
