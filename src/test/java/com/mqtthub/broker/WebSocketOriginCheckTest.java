package com.mqtthub.broker;

import java.util.List;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class WebSocketOriginCheckTest {

	private final BrokerLimits limits = new BrokerLimits(new BrokerProperties());

	private static FullHttpRequest upgrade(String host, String origin) {
		FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/mqtt");
		request.headers()
			.set(HttpHeaderNames.HOST, host)
			.set(HttpHeaderNames.UPGRADE, "websocket")
			.set(HttpHeaderNames.CONNECTION, "Upgrade");
		if (origin != null) {
			request.headers().set(HttpHeaderNames.ORIGIN, origin);
		}
		return request;
	}

	/** Whether the request went on to the upgrade. */
	private boolean passes(List<String> allowed, String host, String origin) {
		EmbeddedChannel channel = new EmbeddedChannel(new WebSocketOriginCheck(allowed, this.limits));
		channel.writeInbound(upgrade(host, origin));
		Object passed = channel.readInbound();
		ReferenceCountUtil.release(passed);
		channel.finishAndReleaseAll();
		return passed != null;
	}

	@Test
	void anotherSiteGets403BeforeTheUpgradeIsCountedAndClosed() {
		EmbeddedChannel channel = new EmbeddedChannel(new WebSocketOriginCheck(List.of(), this.limits));
		channel.writeInbound(upgrade("hub.example:8083", "http://evil.example"));
		assertThat((Object) channel.readInbound()).isNull();
		FullHttpResponse response = channel.readOutbound();
		assertThat(response.status()).isEqualTo(HttpResponseStatus.FORBIDDEN);
		response.release();
		assertThat(channel.isOpen()).isFalse();
		assertThat(this.limits.refusals(Limit.WEBSOCKET_ORIGIN)).isEqualTo(1);
	}

	@Test
	void pagesOfTheSameHostOnAnyPortOrSchemeAndClientsWithoutOriginPass() {
		assertThat(passes(List.of(), "hub.example:8083", "http://hub.example:8080")).isTrue();
		assertThat(passes(List.of(), "hub.example:8083", "https://hub.example")).isTrue();
		assertThat(passes(List.of(), "127.0.0.1:8083", "http://127.0.0.1:8080")).isTrue();
		assertThat(passes(List.of(), "hub.example:8083", null)).isTrue();
		assertThat(this.limits.refusals(Limit.WEBSOCKET_ORIGIN)).isZero();
	}

	@Test
	void listedOriginsPassAndAStarLetsEveryOriginIn() {
		List<String> allowed = List.of("https://dashboard.example");
		assertThat(passes(allowed, "hub.example:8083", "https://dashboard.example")).isTrue();
		assertThat(passes(allowed, "hub.example:8083", "http://dashboard.example")).isFalse();
		assertThat(passes(allowed, "hub.example:8083", "https://evil.example")).isFalse();
		assertThat(passes(List.of("*"), "hub.example:8083", "https://evil.example")).isTrue();
	}

	@Test
	void lookAlikesAndRequestsWithoutHostAreRefused() {
		assertThat(passes(List.of(), "hub.example", "http://hub.example.evil.example")).isFalse();
		assertThat(passes(List.of(), "hub.example", "null")).isFalse();
		assertThat(passes(List.of(), "", "http://hub.example")).isFalse();
	}

}
