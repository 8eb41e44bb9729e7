package com.mqtthub.console;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.mqtthub.relay.RelayProperties;

import org.springframework.context.MessageSource;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * Serves the browser MQTT console. The page connects back to the same-origin MQTT over
 * WebSocket endpoint of this server by default.
 * <p>
 * Its settings and texts travel as a JSON data block, not as inline script, so that the
 * Content-Security-Policy can forbid inline script altogether.
 */
@Controller
class ConsoleController {

	/** The texts the console's scripts use, in the language of the page. */
	static final List<String> SCRIPT_TEXTS = List.of("status.disconnected",
			"status.connecting",
			"status.connected",
			"status.lost",
			"status.reconnected",
			"status.failed",
			"subscriptions.unsubscribe",
			"subscriptions.refused",
			"subscriptions.failed",
			"publish.sent",
			"messages.count",
			"messages.count.one",
			"messages.pause",
			"messages.resume",
			"messages.paused",
			"messages.showMore",
			"messages.showLess",
			"messages.retained",
			"messages.duplicate",
			"messages.binary",
			"messages.nomatch",
			"error.notConnected",
			"error.topic.empty",
			"error.topic.wildcard",
			"error.topic.nul",
			"error.topic.tooLong",
			"error.filter.hash",
			"error.filter.plus",
			"error.will",
			"error.host",
			"error.port",
			"error.keepAlive");

	private final ConsoleProperties properties;

	private final RelayProperties relay;

	private final MessageSource messages;

	ConsoleController(ConsoleProperties properties, RelayProperties relay, MessageSource messages) {
		this.properties = properties;
		this.relay = relay;
		this.messages = messages;
	}

	@GetMapping("/")
	String console(Model model, Locale locale) {
		model.addAttribute("maxMessages", this.properties.getMaxMessages());
		model.addAttribute("webSocketPath", this.relay.getPath());
		Map<String, String> texts = new LinkedHashMap<>();
		for (String key : SCRIPT_TEXTS) {
			texts.put(key, this.messages.getMessage(key, null, "", locale));
		}
		model.addAttribute("consoleConfig", "{\"maxMessages\":" + this.properties.getMaxMessages() + ",\"webSocketPath\":"
				+ ScriptData.json(this.relay.getPath()) + ",\"texts\":" + ScriptData.json(texts) + "}");
		return "console";
	}

}
