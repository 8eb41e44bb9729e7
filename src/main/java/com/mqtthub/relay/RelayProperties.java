package com.mqtthub.relay;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the same-origin MQTT over WebSocket endpoint on the web server's own port, under
 * {@code mqtthub.relay}.
 */
@ConfigurationProperties("mqtthub.relay")
@Validated
public class RelayProperties {

	/** Serve MQTT over WebSocket on the web server's port. */
	private boolean enabled = true;

	/** Request path of the same-origin endpoint. */
	@NotBlank
	@Pattern(regexp = "/.*", message = "must start with '/'")
	private String path = "/mqtt";

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public String getPath() {
		return this.path;
	}

	public void setPath(String path) {
		this.path = path;
	}

}
