/*******************************************************************************
 * Copyright (c) 2026 ocf-update-gateway contributors.
 * 
 * All rights reserved. This program and the accompanying materials
 * are made available under the terms of the Eclipse Public License v2.0
 * and Eclipse Distribution License v1.0 which accompany this distribution.
 * 
 * The Eclipse Public License is available at
 *    http://www.eclipse.org/legal/epl-v20.html
 * and the Eclipse Distribution License is available at
 *    http://www.eclipse.org/org/documents/edl-v10.html.
 * 
 * Contributors:
 *    ocf-update-gateway - OCF patch: ServerKeyExchange of the anonymous ECDH
 *                         suite 0xFF00, adapted from EcdhPskServerKeyExchange
 ******************************************************************************/
package org.eclipse.californium.scandium.dtls;

import org.eclipse.californium.elements.util.DatagramReader;
import org.eclipse.californium.elements.util.DatagramWriter;
import org.eclipse.californium.elements.util.NoPublicAPI;
import org.eclipse.californium.scandium.dtls.cipher.XECDHECryptography;
import org.eclipse.californium.scandium.dtls.cipher.XECDHECryptography.SupportedGroup;

/**
 * OCF patch: the ServerKeyExchange of {@code TLS_ECDH_ANON_WITH_AES_128_CBC_SHA256} (0xFF00): the server's
 * ephemeral ECDH parameters (RFC 4492 5.4, named curve) and nothing else, no signature, as IoTivity-Lite's mbedTLS
 * patch sends and expects it.
 */
@NoPublicAPI
public final class EcdhAnonServerKeyExchange extends ECDHServerKeyExchange {

	public EcdhAnonServerKeyExchange(XECDHECryptography ecdhe) {
		super(ecdhe.getSupportedGroup(), ecdhe.getEncodedPoint());
	}

	private EcdhAnonServerKeyExchange(SupportedGroup supportedGroup, byte[] encodedPoint) {
		super(supportedGroup, encodedPoint);
	}

	@Override
	public byte[] fragmentToByteArray() {
		DatagramWriter writer = new DatagramWriter();
		writeNamedCurve(writer);
		return writer.toByteArray();
	}

	public static HandshakeMessage fromReader(DatagramReader reader) throws HandshakeException {
		EcdhData ecdhData = readNamedCurve(reader);
		return new EcdhAnonServerKeyExchange(ecdhData.supportedGroup, ecdhData.encodedPoint);
	}

	@Override
	public int getMessageLength() {
		return getNamedCurveLength();
	}
}
