package com.mqtthub.admin;

import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;

/**
 * The live admin pages. Each is a shell that its script fills from the JSON API, so that nothing
 * a client sent (client ids, topics, payloads) is ever put into the page as markup.
 */
@Controller
@RequestMapping("/admin")
class MonitoringPageController {

	@GetMapping("/dashboard")
	String dashboard() {
		return "admin/dashboard";
	}

	@GetMapping("/clients")
	String clients() {
		return "admin/clients";
	}

	@GetMapping("/retained")
	String retained() {
		return "admin/retained";
	}

	@GetMapping("/topics")
	String topics() {
		return "admin/topics";
	}

	@GetMapping("/api")
	String api() {
		return "admin/api";
	}

}
