package com.mqtthub.console;

import java.util.Map;

/**
 * JSON for a {@code <script type="application/json">} data block. Besides JSON's own escapes,
 * {@code < > &} and the JavaScript line separators are written as Unicode escapes, so that no
 * value can end the block ({@code </script>}) or start markup inside it.
 */
final class ScriptData {

	private ScriptData() {
	}

	static String json(String value) {
		StringBuilder json = new StringBuilder(value.length() + 2).append('"');
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			switch (c) {
				case '"' -> json.append("\\\"");
				case '\\' -> json.append("\\\\");
				default -> {
					if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == '\u2028' || c == '\u2029') {
						json.append(String.format("\\u%04x", (int) c));
					}
					else {
						json.append(c);
					}
				}
			}
		}
		return json.append('"').toString();
	}

	static String json(Map<String, String> values) {
		StringBuilder json = new StringBuilder("{");
		values.forEach((key, value) -> {
			if (json.length() > 1) {
				json.append(',');
			}
			json.append(json(key)).append(':').append(json(value));
		});
		return json.append('}').toString();
	}

}
