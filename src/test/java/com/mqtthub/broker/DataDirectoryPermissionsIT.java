package com.mqtthub.broker;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;

import com.mqtthub.testing.HubTest;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The data directory holds password hashes and every stored message: once the application runs,
 * it is 0700 and every file in it 0600 (the user database's and the broker's store included).
 */
@HubTest
class DataDirectoryPermissionsIT {

	@Autowired
	private BrokerProperties properties;

	@Autowired
	private javax.sql.DataSource users;

	@Test
	void theDataDirectoryAndItsFilesAreForThisUserOnly() throws Exception {
		assumeTrue(DataDirectory.posix(), "POSIX permissions only");
		assertPrivate(this.properties.getDataDirectory(), "moquette_store");
		// The user database: in tests its directory is another random one, so look where it is.
		String url;
		try (java.sql.Connection connection = this.users.getConnection()) {
			url = connection.getMetaData().getURL();
		}
		assertThat(url).startsWith("jdbc:h2:file:");
		Path database = Path.of(url.substring("jdbc:h2:file:".length()).split(";")[0]);
		assertPrivate(database.getParent(), database.getFileName().toString());
	}

	private static void assertPrivate(Path directory, String expectedFile) throws Exception {
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(directory))).as(directory.toString())
			.isEqualTo("rwx------");
		List<Path> files;
		try (Stream<Path> paths = Files.walk(directory)) {
			files = paths.filter(Files::isRegularFile).toList();
		}
		assertThat(files).anySatisfy((file) -> assertThat(file.getFileName().toString()).startsWith(expectedFile));
		for (Path file : files) {
			assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).as(file.toString())
				.isEqualTo("rw-------");
		}
	}

}
