/**
 * The update-provider SPI: transports that find and fetch update packages (OTA over HTTP(S), a USB medium).
 * Providers never decide trust and never install: the engine verifies and installs what they fetch.
 * {@link org.ocfupdate.pstat.api.provider.UpdateProvider} is a consumer type; the request types passed to it are
 * provider types, so the engine can give providers more over time without breaking them.
 * <p>
 * 1.1 (SPI 2): providers get a {@link org.ocfupdate.pstat.api.provider.ProviderContext} to tell the engine about news
 * and cancellations instead of writing pstat, ask the engine to verify signatures on metadata
 * ({@link org.ocfupdate.pstat.api.provider.OfferRequest#verify}), mark offers forced or not installable now, and are told
 * the {@link org.ocfupdate.pstat.api.provider.UpdateOutcome} of the actions they served. The new methods of the
 * consumer type {@code UpdateProvider} are default methods, so 1.0 providers keep working: a minor version.
 */
@Export
@Version("1.1.0")
package org.ocfupdate.pstat.api.provider;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
