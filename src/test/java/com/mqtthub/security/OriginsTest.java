package com.mqtthub.security;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class OriginsTest {

	@Test
	void sameSiteIsSameHostAndPortWhateverTheScheme() {
		assertThat(Origins.sameSite("http://hub.example:8080", "hub.example:8080")).isTrue();
		assertThat(Origins.sameSite("https://hub.example:8080", "hub.example:8080")).isTrue();
		assertThat(Origins.sameSite("HTTPS://Hub.Example:8080", "hub.example:8080")).isTrue();
	}

	@Test
	void sameSiteComparesAPortOnlyWhenBothNameOne() {
		// Behind a TLS proxy: the page says https://hub.example, the hub sees Host hub.example.
		assertThat(Origins.sameSite("https://hub.example", "hub.example")).isTrue();
		assertThat(Origins.sameSite("https://hub.example", "hub.example:8080")).isTrue();
		assertThat(Origins.sameSite("http://hub.example:8081", "hub.example:8080")).isFalse();
	}

	@Test
	void sameHostIgnoresThePort() {
		// The console on the web port, the broker's own WebSocket listener on another.
		assertThat(Origins.sameHost("http://hub.example:8080", "hub.example:8083")).isTrue();
		assertThat(Origins.sameHost("https://HUB.example", "hub.example:8083")).isTrue();
		assertThat(Origins.sameHost("http://127.0.0.1:8080", "127.0.0.1:8083")).isTrue();
		assertThat(Origins.sameHost("http://[::1]:8080", "[::1]:8083")).isTrue();
		assertThat(Origins.sameHost("http://evil.example:8083", "hub.example:8083")).isFalse();
	}

	@Test
	void otherSitesAndNonsenseAreRefused() {
		assertThat(Origins.sameSite("http://evil.example:8080", "hub.example:8080")).isFalse();
		assertThat(Origins.sameSite("http://hub.example.evil.example", "hub.example")).isFalse();
		assertThat(Origins.sameSite("null", "hub.example")).isFalse();
		assertThat(Origins.sameSite("http://hub.example", null)).isFalse();
		assertThat(Origins.sameSite("http://[broken", "hub.example")).isFalse();
		assertThat(Origins.sameHost("null", "hub.example")).isFalse();
		assertThat(Origins.sameHost("http://hub.example\r\nX: y", "hub.example")).isFalse();
		assertThat(Origins.sameHost("http://hub.example", "")).isFalse();
	}

	@Test
	void listedOriginsMatchExactlyInAnyCaseOrAllWithAStar() {
		List<String> allowed = List.of("https://console.example", "http://dash.example:3000/");
		assertThat(Origins.isListed("HTTPS://console.example", allowed)).isTrue();
		assertThat(Origins.isListed("http://dash.example:3000", allowed)).isTrue();
		assertThat(Origins.isListed("http://console.example", allowed)).isFalse();
		assertThat(Origins.isListed("https://console.example.evil.example", allowed)).isFalse();
		assertThat(Origins.isListed("http://dash.example:3001", allowed)).isFalse();
		assertThat(Origins.isListed("http://anything.example", List.of("*"))).isTrue();
		assertThat(Origins.isListed("http://anything.example", List.of())).isFalse();
	}

}
