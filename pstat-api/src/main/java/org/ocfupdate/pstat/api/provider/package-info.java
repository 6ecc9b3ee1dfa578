/**
 * The update-provider SPI: transports that find and fetch update packages (OTA over HTTP(S), a USB medium).
 * Providers never decide trust and never install: the engine verifies and installs what they fetch.
 * {@link org.ocfupdate.pstat.api.provider.UpdateProvider} is a consumer type; the request types passed to it are
 * provider types, so the engine can give providers more over time without breaking them.
 */
@Export
@Version("1.0.0")
package org.ocfupdate.pstat.api.provider;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
