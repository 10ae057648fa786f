-- What the parser had to repair or guess for an article (bytes replaced with U+FFFD, an
-- ambiguous time zone), one line each, so no repair is stored silently.
ALTER TABLE articles ADD COLUMN warnings VARCHAR[];
