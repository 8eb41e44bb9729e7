package com.mqtthub.console;

import java.util.Locale;
import java.util.Map;

import com.mqtthub.broker.BrokerProperties;
import com.mqtthub.relay.RelayProperties;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ResponseBody;

/**
 * Serves the browser MQTT console. The page connects back to the same-origin MQTT over
 * WebSocket endpoint of this server by default.
 */
@Controller
class ConsoleController {

	private final ConsoleProperties properties;

	private final RelayProperties relay;

	private final ConsoleTexts texts;

	private final JsonMapper json;

	private final BrokerProperties broker;

	ConsoleController(ConsoleProperties properties, RelayProperties relay, ConsoleTexts texts, JsonMapper json,
			BrokerProperties broker) {
		this.properties = properties;
		this.broker = broker;
		this.relay = relay;
		this.texts = texts;
		this.json = json;
	}

	@GetMapping("/")
	String console(Model model, Locale locale) {
		model.addAttribute("maxMessages", this.properties.getMaxMessages());
		model.addAttribute("webSocketPath", this.relay.getPath());
		// The page refuses topics the broker would close the connection for.
		model.addAttribute("maxTopicBytes", this.broker.getMaxTopicLength());
		model.addAttribute("maxTopicLevels", this.broker.getMaxTopicLevels());
		model.addAttribute("texts", this.json.writeValueAsString(this.texts.in(locale)));
		return "console";
	}

	/**
	 * The console's texts in the language of the request; with {@code ?lang=} this also switches
	 * the language (the locale cookie), so the page can change language without a reload.
	 */
	@GetMapping("/console/texts")
	@ResponseBody
	Map<String, String> texts(Locale locale) {
		return this.texts.in(locale);
	}

}
