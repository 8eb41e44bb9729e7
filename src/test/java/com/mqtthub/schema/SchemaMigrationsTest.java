package com.mqtthub.schema;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SchemaMigrationsTest {

	private final DataSource database = database();

	private final AtomicInteger flywayRuns = new AtomicInteger();

	private static DataSource database() {
		JdbcDataSource dataSource = new JdbcDataSource();
		dataSource.setURL("jdbc:h2:mem:schema-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
		dataSource.setUser("sa");
		return dataSource;
	}

	private SchemaMigrations migrations() {
		return new SchemaMigrations(this.database, (dataSource) -> {
			this.flywayRuns.incrementAndGet();
			FlywayMigrations.migrate(dataSource);
		});
	}

	private int count(String query) throws SQLException {
		try (Connection connection = this.database.getConnection();
				Statement statement = connection.createStatement();
				ResultSet rows = statement.executeQuery(query)) {
			rows.next();
			return rows.getInt(1);
		}
	}

	@Test
	void aNewDatabaseGetsEveryTableThenLaterStartsLeaveFlywayAlone() throws Exception {
		migrations().afterPropertiesSet();
		assertThat(this.flywayRuns).hasValue(1);
		assertThat(count("select count(*) from hub_user")).isZero();
		assertThat(SchemaMigrations.appliedVersions(this.database)).isEqualTo(SchemaMigrations.bundledVersions());

		migrations().afterPropertiesSet();
		migrations().afterPropertiesSet();
		assertThat(this.flywayRuns).as("the database has all migrations").hasValue(1);
	}

	/** As after an update of the hub: the database has the migrations of the previous version. */
	@Test
	void aDatabaseWithoutTheNewestMigrationIsMigrated() throws Exception {
		String newest = SchemaMigrations.bundledVersions().stream()
			.max((a, b) -> new java.math.BigDecimal(a).compareTo(new java.math.BigDecimal(b)))
			.orElseThrow();
		Flyway.configure().dataSource(this.database).locations("classpath:" + SchemaMigrations.LOCATION)
			.target(String.valueOf(Integer.parseInt(newest) - 1)).load().migrate();
		assertThat(SchemaMigrations.appliedVersions(this.database)).doesNotContain(newest);

		migrations().afterPropertiesSet();
		assertThat(this.flywayRuns).hasValue(1);
		assertThat(SchemaMigrations.appliedVersions(this.database)).contains(newest);
	}

	@Test
	void aFailedMigrationIsNotCountedAsApplied() throws Exception {
		migrations().afterPropertiesSet();
		try (Connection connection = this.database.getConnection(); Statement statement = connection.createStatement()) {
			statement.executeUpdate("update \"flyway_schema_history\" set \"success\" = false where \"version\" = '1'");
		}
		assertThat(SchemaMigrations.appliedVersions(this.database)).doesNotContain("1");
	}

	@Test
	void versionsAreComparedAsFlywayDoes() {
		assertThat(SchemaMigrations.normalise("1")).isEqualTo("1");
		assertThat(SchemaMigrations.normalise("1.0")).isEqualTo("1");
		assertThat(SchemaMigrations.normalise("01_2")).isEqualTo("1.2");
		assertThat(SchemaMigrations.normalise("2.0.1")).isEqualTo("2.0.1");
	}

	/**
	 * The check knows versioned SQL migrations only: a repeatable or Java migration added to the
	 * folder would never run on a database that has all the versioned ones.
	 */
	@Test
	void theMigrationsFolderHoldsVersionedSqlMigrationsOnly() throws IOException {
		Path folder = Path.of("src/main/resources", SchemaMigrations.LOCATION);
		List<String> names;
		try (Stream<Path> files = Files.list(folder)) {
			names = files.map((file) -> file.getFileName().toString()).toList();
		}
		assertThat(names).isNotEmpty().allMatch((name) -> name.matches("V[0-9._]+__.+\\.sql"));
		assertThat(SchemaMigrations.bundledVersions()).hasSize(names.size());
		assertThat(Path.of("src/main/java/db/migration")).doesNotExist();
	}

}
