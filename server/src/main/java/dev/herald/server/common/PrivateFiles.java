package dev.herald.server.common;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owner-only files and directories for the data dir: it holds the SQLite database and the server's secrets, so
 * nobody but the service user may read it. Modes are set explicitly rather than trusting the process umask.
 * On file systems without POSIX permissions these are plain creates.
 */
public final class PrivateFiles {
    private static final Logger log = LoggerFactory.getLogger(PrivateFiles.class);
    static final Set<PosixFilePermission> DIR = PosixFilePermissions.fromString("rwx------");
    static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

    private PrivateFiles() {}

    /**
     * Creates {@code dir} (and missing parents) with mode 700. An existing directory keeps its mode (it may be shared
     * on purpose, e.g. the working directory), but a warning says when others can read it.
     */
    public static void directory(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            try {
                Set<PosixFilePermission> mode = Files.getPosixFilePermissions(dir);
                if (mode.stream().anyMatch(p -> !DIR.contains(p))) {
                    log.warn("data dir {} is {}: others may read the database and keys; chmod 700 it",
                            dir, PosixFilePermissions.toString(mode));
                }
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system
            }
            return;
        }
        Path parent = dir.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            Files.createDirectories(parent);
        }
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(DIR));
            Files.setPosixFilePermissions(dir, DIR); // the umask may have narrowed the create; set it exactly
        } catch (UnsupportedOperationException e) {
            Files.createDirectories(dir);
        } catch (FileAlreadyExistsException e) {
            // made by another process meanwhile
        }
    }

    /** Makes an existing file owner-only (mode 600) if it is not already; missing files are left alone. */
    public static void restrict(Path file) throws IOException {
        try {
            if (Files.exists(file) && !Files.getPosixFilePermissions(file).equals(FILE)) {
                Files.setPosixFilePermissions(file, FILE);
                log.info("{} was readable by others: now mode 600", file);
            }
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system
        }
    }

    /** Creates an empty owner-only file unless it exists; an existing one is restricted to mode 600. */
    public static void create(Path file) throws IOException {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(FILE));
        } catch (FileAlreadyExistsException e) {
            // keep its content
        } catch (UnsupportedOperationException e) {
            if (!Files.exists(file)) {
                Files.createFile(file);
            }
        }
        restrict(file);
    }

    /**
     * Writes {@code content} to {@code file} (mode 600) atomically: a temp file beside it, then a rename. With
     * {@code replace} false an existing {@code file} wins and {@link FileAlreadyExistsException} is thrown.
     */
    public static void write(Path file, byte[] content, boolean replace) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Path temp;
        try {
            temp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp", PosixFilePermissions.asFileAttribute(FILE));
        } catch (UnsupportedOperationException e) {
            temp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
        }
        try {
            Files.write(temp, content);
            if (replace) {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } else {
                try {
                    Files.createLink(file, temp); // fails if the target exists, where a rename would replace it
                } catch (UnsupportedOperationException e) {
                    Files.move(temp, file); // no hard links here: checks, then renames
                }
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
