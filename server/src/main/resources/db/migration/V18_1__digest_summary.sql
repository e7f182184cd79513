-- A digest's own summary template (a payload whose strings are templates), rendered with the window's count and items.
ALTER TABLE notification_digests ADD COLUMN summary TEXT;
