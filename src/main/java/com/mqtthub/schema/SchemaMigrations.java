package com.mqtthub.schema;

import java.io.IOException;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * Brings the database's tables up to the migrations in {@code db/migration}, with Flyway, before
 * anything reads them; but only when the database lacks one of them. Flyway's check of a database
 * that has them all (its configuration, the scan of the migrations, their checksums) is about 750
 * classes and half a second of every start, and the migrations change only with a new version of
 * the hub. So a start first reads which versions Flyway's history records as applied (one query)
 * and runs Flyway only when one of the jar's versioned migrations is not among them, or when the
 * history cannot be read (a new database). An applied migration edited afterwards is therefore
 * not detected by its checksum; migrations are never edited once released. Only versioned SQL
 * migrations ({@code V<version>__<description>.sql}) are looked at: {@code SchemaMigrationsTest}
 * fails when the folder holds anything else, which this check would have to learn.
 */
final class SchemaMigrations implements InitializingBean {

	static final String LOCATION = "db/migration";

	private static final Logger logger = LoggerFactory.getLogger(SchemaMigrations.class);

	private static final Pattern VERSIONED = Pattern.compile("V([0-9._]+)__.+\\.sql");

	private final DataSource dataSource;

	private final Consumer<DataSource> migrate;

	SchemaMigrations(DataSource dataSource, Consumer<DataSource> migrate) {
		this.dataSource = dataSource;
		this.migrate = migrate;
	}

	@Override
	public void afterPropertiesSet() throws IOException {
		Set<String> bundled = bundledVersions();
		Set<String> applied = appliedVersions(this.dataSource);
		if (!bundled.isEmpty() && applied.containsAll(bundled)) {
			logger.debug("Database schema has all {} migrations; Flyway not needed", bundled.size());
			return;
		}
		this.migrate.accept(this.dataSource);
	}

	/** The versions of the versioned migrations in the jar, normalised. */
	static Set<String> bundledVersions() throws IOException {
		Resource[] resources = new PathMatchingResourcePatternResolver()
			.getResources("classpath*:" + LOCATION + "/V*__*.sql");
		Set<String> versions = new HashSet<>();
		for (Resource resource : resources) {
			Matcher matcher = VERSIONED.matcher(String.valueOf(resource.getFilename()));
			if (matcher.matches()) {
				versions.add(normalise(matcher.group(1)));
			}
		}
		return versions;
	}

	/** The versions Flyway's history records as applied successfully; none when it cannot be read. */
	static Set<String> appliedVersions(DataSource dataSource) {
		// Flyway names its table and columns in lower case, quoted where the database folds case.
		String query = "select \"version\" from \"flyway_schema_history\" where \"success\" and \"version\" is not null";
		Set<String> versions = new HashSet<>();
		try (Connection connection = dataSource.getConnection();
				Statement statement = connection.createStatement();
				ResultSet rows = statement.executeQuery(query)) {
			while (rows.next()) {
				versions.add(normalise(rows.getString(1)));
			}
			return versions;
		}
		catch (SQLException | RuntimeException ex) {
			return Set.of();
		}
	}

	/** "1", "1.0", "01" and "1_0" are the same version to Flyway. */
	static String normalise(String version) {
		String[] parts = version.trim().split("[._]");
		BigInteger[] numbers = Arrays.stream(parts).map(BigInteger::new).toArray(BigInteger[]::new);
		int length = numbers.length;
		while (length > 1 && numbers[length - 1].signum() == 0) {
			length--;
		}
		return Arrays.stream(numbers, 0, length).map(BigInteger::toString).collect(Collectors.joining("."));
	}

}
