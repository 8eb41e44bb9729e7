package com.mqtthub.acl;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.jdbc.support.KeyHolder;
import org.springframework.stereotype.Repository;

/**
 * The {@code acl_rule} table.
 */
@Repository
class AclRuleRepository {

	private final JdbcClient jdbc;

	AclRuleRepository(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	List<AclRule> findAll() {
		return this.jdbc.sql("select * from acl_rule order by username, role, position, id")
			.query(AclRuleRepository::map)
			.list();
	}

	Optional<AclRule> find(long id) {
		return this.jdbc.sql("select * from acl_rule where id = ?").param(id).query(AclRuleRepository::map).optional();
	}

	int nextPosition(String username, String role) {
		Integer max = (username != null)
				? this.jdbc.sql("select max(position) from acl_rule where username = ?")
					.param(username)
					.query(Integer.class)
					.optional()
					.orElse(null)
				: this.jdbc.sql("select max(position) from acl_rule where role = ?")
					.param(role)
					.query(Integer.class)
					.optional()
					.orElse(null);
		return (max != null) ? max + 10 : 10;
	}

	long insert(String username, String role, String topicPattern, Access access, Permission permission,
			int position) {
		KeyHolder key = new GeneratedKeyHolder();
		this.jdbc
			.sql("insert into acl_rule (username, role, topic_pattern, access, permission, position) "
					+ "values (?, ?, ?, ?, ?, ?)")
			.params(username, role, topicPattern, access.name(), permission.name(), position)
			.update(key, "id");
		return key.getKey().longValue();
	}

	int delete(long id) {
		return this.jdbc.sql("delete from acl_rule where id = ?").param(id).update();
	}

	private static AclRule map(ResultSet rs, int row) throws SQLException {
		return new AclRule(rs.getLong("id"), rs.getString("username"), rs.getString("role"),
				rs.getString("topic_pattern"), Access.valueOf(rs.getString("access")),
				Permission.valueOf(rs.getString("permission")), rs.getInt("position"));
	}

}
