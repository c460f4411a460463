-- Substring search on user names and primary e-mails (Users.Containing,
-- SCIM's co/sw/ew on userName and emails.value): an FTS5 index with the
-- trigram tokenizer over the lower-cased keys, kept by triggers, its rowid
-- the user's seq. External content: the text lives only in users.
CREATE VIRTUAL TABLE users_text USING fts5(user_name_key, email_key, content='users', content_rowid='seq', tokenize='trigram');
INSERT INTO users_text(users_text) VALUES ('rebuild');
CREATE TRIGGER users_text_insert AFTER INSERT ON users BEGIN
    INSERT INTO users_text(rowid, user_name_key, email_key) VALUES (new.seq, new.user_name_key, new.email_key);
END;
CREATE TRIGGER users_text_delete AFTER DELETE ON users BEGIN
    INSERT INTO users_text(users_text, rowid, user_name_key, email_key) VALUES ('delete', old.seq, old.user_name_key, old.email_key);
END;
CREATE TRIGGER users_text_update AFTER UPDATE OF user_name_key, email_key ON users BEGIN
    INSERT INTO users_text(users_text, rowid, user_name_key, email_key) VALUES ('delete', old.seq, old.user_name_key, old.email_key);
    INSERT INTO users_text(rowid, user_name_key, email_key) VALUES (new.seq, new.user_name_key, new.email_key);
END;
