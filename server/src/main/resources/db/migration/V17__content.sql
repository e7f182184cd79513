-- Named notification templates: every PUT adds a version, and a notification copies the version it uses, so
-- deleting or changing a template never changes what an accepted notification sends.
CREATE TABLE templates (
    name         TEXT NOT NULL,
    version      INTEGER NOT NULL,
    description  TEXT,
    content      TEXT NOT NULL,     -- JSON {payload: {…}, localized: {tag: {…}}}, each string a template
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (name, version)
);

-- What an app stored about a user for templates ({{user.…}}), set with a manage key.
CREATE TABLE user_attributes (
    user_id     TEXT PRIMARY KEY,
    attributes  TEXT NOT NULL,      -- JSON object
    updated_at  BIGINT NOT NULL
);

-- Per-delivery content: null for a notification that sends one payload to all. Else JSON with the payload per
-- locale ({"locales": {tag: message}}) and, for templates filled per user, the template and its data.
ALTER TABLE notifications ADD COLUMN content TEXT;
ALTER TABLE notifications ADD COLUMN template_name TEXT;
ALTER TABLE notifications ADD COLUMN template_version INTEGER;

-- The locale a delivery's content was chosen for (a key of the notification's locales); null: the default.
ALTER TABLE deliveries ADD COLUMN locale TEXT;

-- The language the user reads (BCP 47), before each device's own.
ALTER TABLE preferences ADD COLUMN locale TEXT;
