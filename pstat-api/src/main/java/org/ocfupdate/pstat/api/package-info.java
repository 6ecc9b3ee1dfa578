/**
 * The OCF pstat model of the gateway: the device onboarding state, the dpm bits of {@code cm}/{@code tm},
 * the software-update states, and {@link org.ocfupdate.pstat.api.PstatService}, through which every
 * other bundle reads and changes it.
 */
@Export
@Version("1.3.0")
package org.ocfupdate.pstat.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
