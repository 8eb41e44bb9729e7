package com.mqtthub.bridge;

import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

/** The bridges page: a shell its script fills from {@code /api/bridges}. */
@Controller
class BridgePageController {

	@GetMapping("/admin/bridges")
	String bridges() {
		return "admin/bridges";
	}

}
