package com.mqtthub.schema;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;

/**
 * Runs Flyway: its classes are loaded only when this runs, that is when the database needs a
 * migration ({@link SchemaMigrations}).
 */
final class FlywayMigrations {

	private FlywayMigrations() {
	}

	static void migrate(DataSource dataSource) {
		Flyway.configure().dataSource(dataSource).locations("classpath:" + SchemaMigrations.LOCATION).load().migrate();
	}

}
