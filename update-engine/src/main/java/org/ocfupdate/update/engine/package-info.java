/**
 * The seam between the OCF device (pstat-impl) and the update core (this bundle): {@link
 * org.ocfupdate.update.engine.UpdateCore}, the state machine's service, which the pstat SVR asks to start, cancel or
 * reset actions and runs its own writes on; and {@link org.ocfupdate.update.engine.UpdateStore}, the persisted
 * software-update fields, which the device implements and registers. Nothing else of the engine is exported.
 */
@Export
@Version("1.0.0")
package org.ocfupdate.update.engine;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
