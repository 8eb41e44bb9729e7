package com.mqtthub.console;

import com.mqtthub.relay.RelayProperties;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * Serves the browser MQTT console. The page connects back to the same-origin MQTT over
 * WebSocket endpoint of this server by default.
 */
@Controller
class ConsoleController {

	private final ConsoleProperties properties;

	private final RelayProperties relay;

	ConsoleController(ConsoleProperties properties, RelayProperties relay) {
		this.properties = properties;
		this.relay = relay;
	}

	@GetMapping("/")
	String console(Model model) {
		model.addAttribute("maxMessages", this.properties.getMaxMessages());
		model.addAttribute("webSocketPath", this.relay.getPath());
		return "console";
	}

}
