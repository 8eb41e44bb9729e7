package com.mqtthub.console;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;

import org.springframework.context.MessageSource;
import org.springframework.stereotype.Component;

/**
 * The texts the console's scripts need, in one language: every key of {@code messages.properties}
 * (the console's own texts) plus those of the shared page header. The page gets them once in a
 * data attribute, and again as JSON when the language is switched without a reload.
 */
@Component
class ConsoleTexts {

	/** Texts of the header that the console swaps in place. */
	private static final List<String> HEADER_KEYS = List.of("app.name", "nav.label", "nav.console", "nav.dashboard",
			"nav.clients", "nav.retained", "nav.topics", "nav.bridges", "nav.users", "nav.roleRules", "nav.access", "nav.api",
			"nav.logout");

	private final MessageSource messages;

	private final List<String> keys;

	ConsoleTexts(MessageSource messages) {
		this.messages = messages;
		TreeSet<String> all = new TreeSet<>(HEADER_KEYS);
		Properties console = new Properties();
		try (InputStream in = ConsoleTexts.class.getResourceAsStream("/messages.properties")) {
			if (in != null) {
				console.load(in);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		console.stringPropertyNames().forEach(all::add);
		this.keys = List.copyOf(all);
	}

	Map<String, String> in(Locale locale) {
		Map<String, String> texts = new LinkedHashMap<>();
		for (String key : this.keys) {
			texts.put(key, this.messages.getMessage(key, null, key, locale));
		}
		return texts;
	}

}
