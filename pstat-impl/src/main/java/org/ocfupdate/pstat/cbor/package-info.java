/**
 * The one strict CBOR decoder for request payloads, shared by every resource of the gateway (the whiteboard's
 * included), so that no resource accepts what another refuses.
 */
@Export
@Version("1.0.0")
package org.ocfupdate.pstat.cbor;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
