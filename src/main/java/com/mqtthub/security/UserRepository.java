package com.mqtthub.security;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The {@code hub_user} table.
 */
@Repository
class UserRepository {

	private final JdbcClient jdbc;

	UserRepository(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	Optional<HubUser> find(String username) {
		return this.jdbc.sql("select * from hub_user where username = ?").param(username).query(UserRepository::map)
			.optional();
	}

	List<HubUser> findAll() {
		return this.jdbc.sql("select * from hub_user order by username").query(UserRepository::map).list();
	}

	long countEnabledAdmins() {
		return this.jdbc.sql("select count(*) from hub_user where role = 'ADMIN' and enabled = true")
			.query(Long.class)
			.single();
	}

	boolean anyAdmin() {
		return this.jdbc.sql("select count(*) from hub_user where role = 'ADMIN'").query(Long.class).single() > 0;
	}

	void insert(String username, String passwordHash, Role role, boolean enabled) {
		this.jdbc
			.sql("insert into hub_user (username, password_hash, role, enabled, created_at) values (?, ?, ?, ?, ?)")
			.params(username, passwordHash, role.name(), enabled, Timestamp.from(Instant.now()))
			.update();
	}

	int updatePassword(String username, String passwordHash) {
		return this.jdbc.sql("update hub_user set password_hash = ? where username = ?")
			.params(passwordHash, username)
			.update();
	}

	int updateRoleAndEnabled(String username, Role role, boolean enabled) {
		return this.jdbc.sql("update hub_user set role = ?, enabled = ? where username = ?")
			.params(role.name(), enabled, username)
			.update();
	}

	int delete(String username) {
		return this.jdbc.sql("delete from hub_user where username = ?").param(username).update();
	}

	private static HubUser map(ResultSet rs, int row) throws SQLException {
		return new HubUser(rs.getLong("id"), rs.getString("username"), rs.getString("password_hash"),
				Role.valueOf(rs.getString("role")), rs.getBoolean("enabled"),
				rs.getTimestamp("created_at").toInstant());
	}

}
