package com.mqtthub.bridge;

import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import com.mqtthub.bridge.BridgesProperties.Bridge;
import com.mqtthub.bridge.BridgesProperties.Direction;
import com.mqtthub.bridge.BridgesProperties.TopicRule;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.unit.DataSize;

/**
 * The tables {@code bridge}, {@code bridge_address} and {@code bridge_topic_rule}: bridges
 * managed over the admin API. Passwords arrive here encrypted; the definitions handed out carry
 * none ({@link Stored} has them encrypted).
 */
class BridgeRepository {

	/** A stored bridge: its definition without passwords, and the passwords as stored (or null). */
	record Stored(Bridge definition, String passwordEncrypted, String truststorePasswordEncrypted,
			String keystorePasswordEncrypted) {
	}

	private final JdbcClient jdbc;

	private final TransactionTemplate transactions;

	BridgeRepository(JdbcClient jdbc, PlatformTransactionManager transactions) {
		this.jdbc = jdbc;
		this.transactions = new TransactionTemplate(transactions);
	}

	List<Stored> findAll() {
		return this.transactions.execute((status) -> {
			Map<String, Stored> bridges = new LinkedHashMap<>();
			this.jdbc.sql("select * from bridge order by created_at, name")
				.query(BridgeRepository::map)
				.list()
				.forEach((stored) -> bridges.put(stored.definition().getName(), stored));
			this.jdbc.sql("select bridge_name, address from bridge_address order by bridge_name, position")
				.query((rs, row) -> {
					Stored stored = bridges.get(rs.getString("bridge_name"));
					if (stored != null) {
						stored.definition().getAddresses().add(rs.getString("address"));
					}
					return null;
				})
				.list();
			this.jdbc.sql("select * from bridge_topic_rule order by bridge_name, position").query((rs, row) -> {
				Stored stored = bridges.get(rs.getString("bridge_name"));
				if (stored != null) {
					stored.definition().getTopics().add(rule(rs));
				}
				return null;
			}).list();
			return new ArrayList<>(bridges.values());
		});
	}

	Optional<Stored> find(String name) {
		return findAll().stream().filter((stored) -> stored.definition().getName().equals(name)).findFirst();
	}

	void insert(Stored bridge) {
		this.transactions.executeWithoutResult((status) -> {
			Instant now = Instant.now();
			Bridge d = bridge.definition();
			this.jdbc.sql("insert into bridge (name, client_id, username, password_encrypted, password_env, "
					+ "keep_alive_ms, clean_session, connect_timeout_ms, in_flight, enabled, paused, truststore, "
					+ "truststore_password_encrypted, truststore_type, queue_max_bytes, queue_max_messages, "
					+ "reconnect_initial_ms, reconnect_max_ms, failover, peer_client_id, keystore, "
					+ "keystore_password_encrypted, keystore_type, created_at, updated_at) "
					+ "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
				.params(d.getName(), d.getClientId(), d.getUsername(), bridge.passwordEncrypted(), d.getPasswordEnv(),
						d.getKeepAlive().toMillis(), d.isCleanSession(), d.getConnectTimeout().toMillis(),
						d.getInFlight(), d.isEnabled(), d.isPaused(),
						(d.getTls().getTruststore() != null) ? d.getTls().getTruststore().toString() : null,
						bridge.truststorePasswordEncrypted(), d.getTls().getTruststoreType(),
						d.getQueue().getMaxBytes().toBytes(), d.getQueue().getMaxMessages(),
						d.getReconnect().getInitialDelay().toMillis(), d.getReconnect().getMaxDelay().toMillis(),
						d.getFailover().text(), d.getPeerClientId(), keystore(d), bridge.keystorePasswordEncrypted(),
						d.getTls().getKeystoreType(), Timestamp.from(now), Timestamp.from(now))
				.update();
			insertLists(d);
		});
	}

	/** Replaces a stored bridge (same name), keeping its creation time. */
	void update(Stored bridge) {
		this.transactions.executeWithoutResult((status) -> {
			Bridge d = bridge.definition();
			this.jdbc.sql("update bridge set client_id = ?, username = ?, password_encrypted = ?, password_env = ?, "
					+ "keep_alive_ms = ?, clean_session = ?, connect_timeout_ms = ?, in_flight = ?, enabled = ?, "
					+ "paused = ?, truststore = ?, truststore_password_encrypted = ?, truststore_type = ?, "
					+ "queue_max_bytes = ?, queue_max_messages = ?, reconnect_initial_ms = ?, reconnect_max_ms = ?, "
					+ "failover = ?, peer_client_id = ?, keystore = ?, keystore_password_encrypted = ?, "
					+ "keystore_type = ?, updated_at = ? where name = ?")
				.params(d.getClientId(), d.getUsername(), bridge.passwordEncrypted(), d.getPasswordEnv(),
						d.getKeepAlive().toMillis(), d.isCleanSession(), d.getConnectTimeout().toMillis(),
						d.getInFlight(), d.isEnabled(), d.isPaused(),
						(d.getTls().getTruststore() != null) ? d.getTls().getTruststore().toString() : null,
						bridge.truststorePasswordEncrypted(), d.getTls().getTruststoreType(),
						d.getQueue().getMaxBytes().toBytes(), d.getQueue().getMaxMessages(),
						d.getReconnect().getInitialDelay().toMillis(), d.getReconnect().getMaxDelay().toMillis(),
						d.getFailover().text(), d.getPeerClientId(), keystore(d), bridge.keystorePasswordEncrypted(),
						d.getTls().getKeystoreType(), Timestamp.from(Instant.now()), d.getName())
				.update();
			this.jdbc.sql("delete from bridge_address where bridge_name = ?").param(d.getName()).update();
			this.jdbc.sql("delete from bridge_topic_rule where bridge_name = ?").param(d.getName()).update();
			insertLists(d);
		});
	}

	private static String keystore(Bridge d) {
		return (d.getTls().getKeystore() != null) ? d.getTls().getKeystore().toString() : null;
	}

	void setPaused(String name, boolean paused) {
		this.jdbc.sql("update bridge set paused = ?, updated_at = ? where name = ?")
			.params(paused, Timestamp.from(Instant.now()), name)
			.update();
	}

	int delete(String name) {
		return this.jdbc.sql("delete from bridge where name = ?").param(name).update();
	}

	private void insertLists(Bridge d) {
		for (int i = 0; i < d.getAddresses().size(); i++) {
			this.jdbc.sql("insert into bridge_address (bridge_name, position, address) values (?, ?, ?)")
				.params(d.getName(), i, d.getAddresses().get(i))
				.update();
		}
		for (int i = 0; i < d.getTopics().size(); i++) {
			TopicRule rule = d.getTopics().get(i);
			this.jdbc
				.sql("insert into bridge_topic_rule (bridge_name, position, topic_filter, direction, qos, "
						+ "local_prefix, remote_prefix) values (?, ?, ?, ?, ?, ?, ?)")
				.params(d.getName(), i, rule.getFilter(), rule.getDirection().name().toLowerCase(Locale.ROOT),
						rule.getQos(), rule.getLocalPrefix(), rule.getRemotePrefix())
				.update();
		}
	}

	private static Stored map(ResultSet rs, int row) throws SQLException {
		Bridge d = new Bridge();
		d.setName(rs.getString("name"));
		d.setClientId(rs.getString("client_id"));
		d.setPeerClientId(rs.getString("peer_client_id"));
		d.setUsername(rs.getString("username"));
		d.setPasswordEnv(rs.getString("password_env"));
		d.setKeepAlive(Duration.ofMillis(rs.getLong("keep_alive_ms")));
		d.setCleanSession(rs.getBoolean("clean_session"));
		d.setConnectTimeout(Duration.ofMillis(rs.getLong("connect_timeout_ms")));
		d.setInFlight(rs.getInt("in_flight"));
		d.setEnabled(rs.getBoolean("enabled"));
		d.setPaused(rs.getBoolean("paused"));
		String truststore = rs.getString("truststore");
		d.getTls().setTruststore((truststore != null) ? Path.of(truststore) : null);
		d.getTls().setTruststoreType(rs.getString("truststore_type"));
		String keystore = rs.getString("keystore");
		d.getTls().setKeystore((keystore != null) ? Path.of(keystore) : null);
		d.getTls().setKeystoreType(rs.getString("keystore_type"));
		d.getQueue().setMaxBytes(DataSize.ofBytes(rs.getLong("queue_max_bytes")));
		d.getQueue().setMaxMessages(rs.getLong("queue_max_messages"));
		d.getReconnect().setInitialDelay(Duration.ofMillis(rs.getLong("reconnect_initial_ms")));
		d.getReconnect().setMaxDelay(Duration.ofMillis(rs.getLong("reconnect_max_ms")));
		BridgesProperties.Failover failover = BridgesProperties.Failover.of(rs.getString("failover"));
		d.setFailover((failover != null) ? failover : BridgesProperties.Failover.IN_ORDER);
		d.setAddresses(new ArrayList<>());
		d.setTopics(new ArrayList<>());
		return new Stored(d, rs.getString("password_encrypted"), rs.getString("truststore_password_encrypted"),
				rs.getString("keystore_password_encrypted"));
	}

	private static TopicRule rule(ResultSet rs) throws SQLException {
		TopicRule rule = new TopicRule();
		rule.setFilter(rs.getString("topic_filter"));
		rule.setDirection(Direction.valueOf(rs.getString("direction").toUpperCase(Locale.ROOT)));
		rule.setQos(rs.getInt("qos"));
		rule.setLocalPrefix(rs.getString("local_prefix"));
		rule.setRemotePrefix(rs.getString("remote_prefix"));
		return rule;
	}

}
