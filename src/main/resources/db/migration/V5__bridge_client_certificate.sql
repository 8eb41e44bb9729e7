-- A bridge's TLS client certificate: a key store file, its password (only encrypted, as the
-- other passwords) and its type.
alter table bridge add column keystore varchar(4096);
alter table bridge add column keystore_password_encrypted varchar(8192);
alter table bridge add column keystore_type varchar(32) default 'PKCS12' not null;
