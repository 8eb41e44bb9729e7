package com.mqtthub.broker;

import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.stereotype.Component;

/**
 * Once everything has started (the user database and the broker's store have created their
 * files), makes those files readable by this user only.
 */
@Component
class DataDirectoryFiles implements ApplicationListener<ApplicationReadyEvent> {

	@Override
	public void onApplicationEvent(ApplicationReadyEvent event) {
		DataDirectory.restrictAllContents();
	}

}
