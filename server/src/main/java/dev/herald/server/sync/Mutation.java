package dev.herald.server.sync;

/** One change a client asks for: {@code upsert} with a document, or {@code delete}; {@code baseVersion} is what it last saw. */
record Mutation(String id, boolean delete, String doc, Long baseVersion) {}
