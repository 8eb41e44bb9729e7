package com.mqtthub.relay;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SameSiteOriginTest {

	@Test
	void sameHostAndPortWhateverTheScheme() {
		assertThat(SameSiteOrigin.isSameSite("http://hub.example:8080", "hub.example:8080")).isTrue();
		assertThat(SameSiteOrigin.isSameSite("https://hub.example:8080", "hub.example:8080")).isTrue();
		assertThat(SameSiteOrigin.isSameSite("HTTPS://Hub.Example:8080", "hub.example:8080")).isTrue();
	}

	@Test
	void aPortIsComparedOnlyWhenBothNameOne() {
		// Behind a TLS proxy: the page says https://hub.example, the hub sees Host hub.example.
		assertThat(SameSiteOrigin.isSameSite("https://hub.example", "hub.example")).isTrue();
		assertThat(SameSiteOrigin.isSameSite("https://hub.example", "hub.example:8080")).isTrue();
		assertThat(SameSiteOrigin.isSameSite("http://hub.example:8081", "hub.example:8080")).isFalse();
	}

	@Test
	void otherSitesAndNonsenseAreRefused() {
		assertThat(SameSiteOrigin.isSameSite("http://evil.example:8080", "hub.example:8080")).isFalse();
		assertThat(SameSiteOrigin.isSameSite("http://hub.example.evil.example", "hub.example")).isFalse();
		assertThat(SameSiteOrigin.isSameSite("null", "hub.example")).isFalse();
		assertThat(SameSiteOrigin.isSameSite("http://hub.example", null)).isFalse();
		assertThat(SameSiteOrigin.isSameSite("http://[broken", "hub.example")).isFalse();
	}

}
