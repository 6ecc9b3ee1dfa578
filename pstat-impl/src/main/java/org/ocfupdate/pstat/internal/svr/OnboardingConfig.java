package org.ocfupdate.pstat.internal.svr;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/** PID {@value #PID}: how the device gets its owner (docs/onboarding.md). */
@ObjectClassDefinition(name = "OCF onboarding",
        description = "How the device gets its owner: it owns itself (development), or an OCF onboarding tool takes ownership.")
public @interface OnboardingConfig {
    String PID = "org.ocfupdate.onboarding";

    @AttributeDefinition(description = "self: the owner credential is made at first start and told once (today's "
            + "behaviour). transfer: a factory-new (or reset) device waits in RFOTM for an OCF onboarding tool.",
            options = {@Option(value = "self", label = "self"), @Option(value = "transfer", label = "transfer")})
    String ownership() default "self";

    @AttributeDefinition(required = false, description = "Ownership transfer methods offered (comma-separated): "
            + "0 Just-Works, 1 Random PIN, 2 manufacturer certificate. Empty = 0,1, plus 2 when a manufacturer "
            + "certificate is configured.")
    String oxms() default "";

    @AttributeDefinition(required = false, description = "PEM file with the manufacturer certificate (and chain) "
            + "for the certificate transfer method; relative to the gateway home.")
    String manufacturerCertificate() default "";

    @AttributeDefinition(required = false, description = "PEM file with the private key of the manufacturer "
            + "certificate; relative to the gateway home.")
    String manufacturerKey() default "";
}
