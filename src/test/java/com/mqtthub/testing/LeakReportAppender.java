package com.mqtthub.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;

/**
 * Writes Netty's leak reports to a file that exists only if there was a report, so that the
 * build can fail on its presence.
 */
public class LeakReportAppender extends AppenderBase<ILoggingEvent> {

	private String file;

	public void setFile(String file) {
		this.file = file;
	}

	@Override
	protected void append(ILoggingEvent event) {
		String report = event.getTimeStamp() + " [" + event.getThreadName() + "] " + event.getFormattedMessage()
				+ System.lineSeparator();
		try {
			Path path = Path.of(this.file);
			Files.createDirectories(path.toAbsolutePath().getParent());
			Files.writeString(path, report, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
					StandardOpenOption.APPEND);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
