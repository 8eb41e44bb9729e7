package com.mqtthub.schema;

import javax.sql.DataSource;

import org.springframework.boot.sql.init.dependency.DatabaseInitializationDependencyConfigurer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * The database's tables, migrated before the beans that read them: Spring Boot makes every bean
 * that uses the database through JDBC wait for {@link SchemaMigrations}, which
 * {@link SchemaMigrationsDetector} names as a database initializer. Spring Boot's own Flyway
 * start-up is off ({@code spring.flyway.enabled: false}), as this one runs Flyway only when needed.
 */
@Configuration(proxyBeanMethods = false)
@Import(DatabaseInitializationDependencyConfigurer.class)
class SchemaConfiguration {

	@Bean
	SchemaMigrations schemaMigrations(DataSource dataSource) {
		return new SchemaMigrations(dataSource, FlywayMigrations::migrate);
	}

}
