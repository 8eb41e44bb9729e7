package com.mqtthub.relay;

import java.util.Map;

import com.mqtthub.security.LogSafe;
import com.mqtthub.security.Origins;
import com.mqtthub.security.RateLimitedLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.server.HandshakeInterceptor;

/**
 * Lets a WebSocket handshake through when its {@code Origin} names this site's host and port,
 * whatever the scheme, or when it has no {@code Origin} at all; any other site is refused with
 * 403.
 * <p>
 * Browsers always send the page's origin, so a page of another site cannot use a visitor's
 * browser to reach the broker. Devices send none, or, like paho-mqtt, an {@code https://host:port}
 * origin made up from the address they connect to even for {@code ws://}: comparing host and port
 * but not the scheme lets them in without letting other sites in.
 */
final class SameSiteOrigin implements HandshakeInterceptor {

	private static final Logger logger = LoggerFactory.getLogger(SameSiteOrigin.class);

	/** Any page on the web can make browsers send these: a flood of them must not flood the log. */
	private static final RateLimitedLog refusals = new RateLimitedLog(logger,
			"refused WebSocket handshakes from other sites");

	@Override
	public boolean beforeHandshake(ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler handler,
			Map<String, Object> attributes) {
		String origin = request.getHeaders().getFirst(HttpHeaders.ORIGIN);
		if (origin == null || Origins.sameSite(origin, request.getHeaders().getFirst(HttpHeaders.HOST))) {
			return true;
		}
		refusals.warn("Refused MQTT over WebSocket from {}: Origin '{}' is another site", request.getRemoteAddress(),
				LogSafe.text(origin));
		response.setStatusCode(HttpStatus.FORBIDDEN);
		return false;
	}

	@Override
	public void afterHandshake(ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler handler,
			Exception exception) {
	}

}
