package com.mqtthub.bridge;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import com.mqtthub.bridge.BridgeDefinitions.Problem;
import com.mqtthub.bridge.BridgeRepository.Stored;
import com.mqtthub.bridge.BridgeService.Source;
import com.mqtthub.bridge.BridgesProperties.Bridge;
import com.mqtthub.security.LogSafe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bridges kept in the database: loaded at start-up, and created, replaced and deleted over the
 * admin API, each change stored first and then applied to the running bridges at once. They are
 * checked by the same {@link BridgeDefinitions} rules as the configuration's bridges; those stay
 * read-only here, and names are unique across both.
 */
class StoredBridges {

	private static final Logger logger = LoggerFactory.getLogger(StoredBridges.class);

	static final String PASSWORD = "password";

	static final String TRUSTSTORE_PASSWORD = "truststore-password";

	static final String KEYSTORE_PASSWORD = "keystore-password";

	private final BridgeRepository repository;

	private final BridgeSecrets secrets;

	private final BridgeService bridges;

	private final UnaryOperator<String> environment;

	StoredBridges(BridgeRepository repository, BridgeSecrets secrets, BridgeService bridges,
			UnaryOperator<String> environment) {
		this.repository = repository;
		this.secrets = secrets;
		this.bridges = bridges;
		this.environment = environment;
		load();
	}

	/** A request the hub refuses: problems per field (400), or a conflict or an unknown bridge. */
	static final class Refused extends RuntimeException {

		enum Reason {

			INVALID, CONFLICT, NOT_FOUND

		}

		private final Reason reason;

		private final transient List<Problem> problems;

		Refused(Reason reason, String message, List<Problem> problems) {
			super(message, null, false, false);
			this.reason = reason;
			this.problems = List.copyOf(problems);
		}

		Reason reason() {
			return this.reason;
		}

		List<Problem> problems() {
			return this.problems;
		}

	}

	/**
	 * Starts the stored bridges. One that no longer works as stored (an environment variable
	 * gone, a trust store moved, a password the key cannot decrypt) is shown with the reason and
	 * not started, rather than stopping the hub; the configuration's bridge wins a name clash.
	 */
	private void load() {
		for (Stored stored : this.repository.findAll()) {
			Bridge definition = stored.definition();
			String name = definition.getName();
			if (this.bridges.link(name).isPresent()) {
				logger.warn("Bridge '{}' is both in the configuration (mqtthub.bridges) and in the database: "
						+ "the configuration's is used", name);
				continue;
			}
			List<String> reasons = new ArrayList<>();
			try {
				definition.setPassword(reveal(stored.passwordEncrypted(), name, PASSWORD));
				definition.getTls().setTruststorePassword(
						reveal(stored.truststorePasswordEncrypted(), name, TRUSTSTORE_PASSWORD));
				definition.getTls()
					.setKeystorePassword(reveal(stored.keystorePasswordEncrypted(), name, KEYSTORE_PASSWORD));
			}
			catch (IllegalStateException ex) {
				reasons.add("its stored password cannot be decrypted with this key (mqtthub.bridge-secrets): "
						+ "enter it again");
			}
			for (Problem problem : BridgeDefinitions.check(definition, this.environment)) {
				reasons.add(problem.field() + ": " + problem.message());
			}
			String blocked = reasons.isEmpty() ? null : "not started: " + String.join("; ", reasons);
			if (blocked != null) {
				logger.warn("Bridge '{}' (stored in the database) is {}", LogSafe.text(name), LogSafe.text(blocked));
			}
			this.bridges.put(definition, password(definition), Source.DATABASE, blocked);
		}
	}

	/** Creates a bridge, stores it and starts it. */
	synchronized BridgeLink create(BridgeRequest request) {
		List<Problem> problems = new ArrayList<>();
		String name = request.name();
		Bridge definition = request.toDefinition(name, problems);
		if (BridgeDefinitions.isName(name) && this.bridges.link(name).isPresent()) {
			throw new Refused(Refused.Reason.CONFLICT, "A bridge named " + name + " exists already", List.of());
		}
		if (this.bridges.links().size() >= BridgeDefinitions.MAX_BRIDGES) {
			throw new Refused(Refused.Reason.CONFLICT,
					"The hub has " + BridgeDefinitions.MAX_BRIDGES + " bridges, the most it takes", List.of());
		}
		check(definition, problems);
		this.repository.insert(seal(definition));
		logger.info("Bridge '{}' created from the admin API", name);
		return this.bridges.put(definition, password(definition), Source.DATABASE, null);
	}

	/**
	 * Replaces a stored bridge. A password (or trust store password) left out keeps the stored
	 * one, an empty one removes it; a password-env replaces a stored password.
	 */
	synchronized BridgeLink update(String name, BridgeRequest request) {
		Stored stored = stored(name);
		List<Problem> problems = new ArrayList<>();
		if (request.name() != null && !request.name().equals(name)) {
			problems.add(new Problem("name", "a bridge cannot be renamed: delete it and create it anew"));
		}
		Bridge definition = request.toDefinition(name, problems);
		if (definition.getPassword() == null && definition.getPasswordEnv() == null) {
			definition.setPassword(revealOrRefuse(stored.passwordEncrypted(), name, PASSWORD, "password"));
		}
		if (definition.getTls().getTruststorePassword() == null) {
			definition.getTls()
				.setTruststorePassword(revealOrRefuse(stored.truststorePasswordEncrypted(), name, TRUSTSTORE_PASSWORD,
						"tls.truststore-password"));
		}
		if (definition.getTls().getKeystorePassword() == null) {
			definition.getTls()
				.setKeystorePassword(revealOrRefuse(stored.keystorePasswordEncrypted(), name, KEYSTORE_PASSWORD,
						"tls.keystore-password"));
		}
		emptyToNone(definition);
		check(definition, problems);
		this.repository.update(seal(definition));
		logger.info("Bridge '{}' changed from the admin API", name);
		return this.bridges.put(definition, password(definition), Source.DATABASE, null);
	}

	/**
	 * Deletes a stored bridge: stops it and discards the messages waiting in its queue.
	 * @return how many queued messages were discarded
	 */
	synchronized long delete(String name) {
		stored(name);
		this.repository.delete(name);
		long discarded = Math.max(0, this.bridges.remove(name));
		logger.info("Bridge '{}' deleted from the admin API; {} queued messages discarded", name, discarded);
		return discarded;
	}

	/** Pauses or resumes a bridge; for a stored one, also what it starts with after a restart. */
	synchronized void setPaused(String name, boolean paused) {
		BridgeLink link = this.bridges.link(name)
			.orElseThrow(() -> new Refused(Refused.Reason.NOT_FOUND, "No bridge has this name", List.of()));
		if (this.bridges.source(name) == Source.DATABASE) {
			this.repository.setPaused(name, paused);
			link.definition().setPaused(paused);
		}
		if (paused) {
			link.pause();
		}
		else {
			link.resume();
		}
	}

	private Stored stored(String name) {
		if (this.bridges.link(name).isPresent() && this.bridges.source(name) == Source.CONFIGURATION) {
			throw new Refused(Refused.Reason.CONFLICT,
					"This bridge is defined in the configuration (mqtthub.bridges) and is read-only here", List.of());
		}
		return this.repository.find(name)
			.orElseThrow(() -> new Refused(Refused.Reason.NOT_FOUND, "No bridge has this name", List.of()));
	}

	private void check(Bridge definition, List<Problem> problems) {
		emptyToNone(definition);
		problems.addAll(BridgeDefinitions.check(definition, this.environment));
		if (!problems.isEmpty()) {
			throw new Refused(Refused.Reason.INVALID, "The bridge has invalid fields", problems);
		}
	}

	/** An empty password in a request means "none". */
	private static void emptyToNone(Bridge definition) {
		if (definition.getPassword() != null && definition.getPassword().isEmpty()) {
			definition.setPassword(null);
		}
		if (definition.getTls().getTruststorePassword() != null
				&& definition.getTls().getTruststorePassword().isEmpty()) {
			definition.getTls().setTruststorePassword(null);
		}
		if (definition.getTls().getKeystorePassword() != null && definition.getTls().getKeystorePassword().isEmpty()) {
			definition.getTls().setKeystorePassword(null);
		}
	}

	private Stored seal(Bridge definition) {
		String name = definition.getName();
		String password = (definition.getPassword() != null)
				? this.secrets.encrypt(definition.getPassword(), name, PASSWORD) : null;
		String truststorePassword = (definition.getTls().getTruststorePassword() != null)
				? this.secrets.encrypt(definition.getTls().getTruststorePassword(), name, TRUSTSTORE_PASSWORD) : null;
		String keystorePassword = (definition.getTls().getKeystorePassword() != null)
				? this.secrets.encrypt(definition.getTls().getKeystorePassword(), name, KEYSTORE_PASSWORD) : null;
		return new Stored(definition, password, truststorePassword, keystorePassword);
	}

	private String reveal(String encrypted, String name, String field) {
		return (encrypted != null) ? this.secrets.decrypt(encrypted, name, field) : null;
	}

	/** A kept password that cannot be decrypted must be given again. */
	private String revealOrRefuse(String encrypted, String name, String field, String requestField) {
		try {
			return reveal(encrypted, name, field);
		}
		catch (IllegalStateException ex) {
			throw new Refused(Refused.Reason.INVALID, "The bridge has invalid fields", List.of(new Problem(requestField,
					"the stored value cannot be decrypted with this key (mqtthub.bridge-secrets): enter it again")));
		}
	}

	private String password(Bridge definition) {
		return (definition.getPasswordEnv() != null) ? this.environment.apply(definition.getPasswordEnv())
				: definition.getPassword();
	}

}
