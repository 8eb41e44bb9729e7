package com.mqtthub.relay;

import java.net.URI;
import java.util.Locale;
import java.util.Map;

import com.mqtthub.security.LogSafe;
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

	@Override
	public boolean beforeHandshake(ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler handler,
			Map<String, Object> attributes) {
		String origin = request.getHeaders().getFirst(HttpHeaders.ORIGIN);
		if (origin == null || isSameSite(origin, request.getHeaders().getFirst(HttpHeaders.HOST))) {
			return true;
		}
		logger.warn("Refused MQTT over WebSocket from {}: Origin '{}' is another site", request.getRemoteAddress(),
				LogSafe.text(origin));
		response.setStatusCode(HttpStatus.FORBIDDEN);
		return false;
	}

	@Override
	public void afterHandshake(ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler handler,
			Exception exception) {
	}

	/**
	 * Whether {@code origin} names the host (and port, when both name one) of {@code hostHeader}.
	 * A port is compared only when both give it explicitly: behind a TLS proxy the page's origin
	 * implies 443 while the request the hub sees may imply 80.
	 */
	static boolean isSameSite(String origin, String hostHeader) {
		if (hostHeader == null || hostHeader.isBlank()) {
			return false;
		}
		URI originUri;
		URI hostUri;
		try {
			originUri = URI.create(origin.trim());
			hostUri = URI.create("http://" + hostHeader.trim());
		}
		catch (IllegalArgumentException ex) {
			return false;
		}
		String originHost = originUri.getHost();
		String requestHost = hostUri.getHost();
		if (originHost == null || requestHost == null
				|| !originHost.toLowerCase(Locale.ROOT).equals(requestHost.toLowerCase(Locale.ROOT))) {
			return false;
		}
		int originPort = originUri.getPort();
		int requestPort = hostUri.getPort();
		return originPort < 0 || requestPort < 0 || originPort == requestPort;
	}

}
