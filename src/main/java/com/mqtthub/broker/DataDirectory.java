package com.mqtthub.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the data directory private to the user the hub runs as: the directory (and any below it)
 * 0700, its files 0600, on file systems with POSIX permissions. It holds the users' password
 * hashes and every stored message; other local users have no business reading them.
 */
final class DataDirectory {

	static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");

	static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

	/** How deep below the data directory permissions are tightened. */
	private static final int MAX_DEPTH = 4;

	private static final Logger logger = LoggerFactory.getLogger(DataDirectory.class);

	/** The directories made private in this process, to tighten what the stores create in them. */
	private static final Set<Path> PRIVATE = ConcurrentHashMap.newKeySet();

	private DataDirectory() {
	}

	static boolean posix() {
		return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
	}

	/** Creates the directory, private from the start; an existing one is made private. */
	static void createPrivate(Path directory) {
		try {
			if (!posix()) {
				Files.createDirectories(directory);
				return;
			}
			if (Files.notExists(directory)) {
				Files.createDirectories(directory.toAbsolutePath().getParent());
				Files.createDirectory(directory, PosixFilePermissions.asFileAttribute(DIRECTORY));
			}
			// Again: the umask may have narrowed the creation mode, and an older directory may be open.
			tighten(directory, DIRECTORY);
			PRIVATE.add(directory.toAbsolutePath().normalize());
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not create the data directory " + directory.toAbsolutePath(), ex);
		}
	}

	/** {@link #restrictContents} of every directory {@link #createPrivate} made private. */
	static void restrictAllContents() {
		PRIVATE.forEach(DataDirectory::restrictContents);
	}

	/** Makes every directory below 0700 and every file 0600 (what the stores created meanwhile). */
	static void restrictContents(Path directory) {
		if (!posix() || !Files.isDirectory(directory)) {
			return;
		}
		try (Stream<Path> paths = Files.walk(directory, MAX_DEPTH)) {
			paths.forEach((path) -> {
				if (Files.isSymbolicLink(path)) {
					return;
				}
				tighten(path, Files.isDirectory(path) ? DIRECTORY : FILE);
			});
		}
		catch (IOException | UncheckedIOException ex) {
			logger.warn("Could not restrict the permissions in the data directory {}: {}", directory.toAbsolutePath(),
					ex.toString());
		}
	}

	private static void tighten(Path path, Set<PosixFilePermission> permissions) {
		try {
			if (!Files.getPosixFilePermissions(path).equals(permissions)) {
				Files.setPosixFilePermissions(path, permissions);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
