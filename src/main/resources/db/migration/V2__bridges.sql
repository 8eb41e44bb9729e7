-- Bridges managed from the admin page and API (those of application.yml are not stored here).
-- Durations in milliseconds. Passwords only encrypted (AES-GCM, "v1:" and Base64; the key is
-- outside the database, see docs/bridges.md), or as the name of an environment variable.
create table bridge (
    name                 varchar(64)   not null,
    client_id            varchar(128),
    username             varchar(256),
    password_encrypted   varchar(8192),
    password_env         varchar(128),
    keep_alive_ms        bigint        not null,
    clean_session        boolean       not null,
    connect_timeout_ms   bigint        not null,
    in_flight            integer       not null,
    enabled              boolean       not null,
    paused               boolean       not null,
    truststore           varchar(4096),
    truststore_password_encrypted varchar(8192),
    truststore_type      varchar(32)   not null,
    queue_max_bytes      bigint        not null,
    queue_max_messages   bigint        not null,
    reconnect_initial_ms bigint        not null,
    reconnect_max_ms     bigint        not null,
    created_at           timestamp     not null,
    updated_at           timestamp     not null,
    constraint pk_bridge primary key (name)
);

-- Remote addresses, tried in order of position.
create table bridge_address (
    bridge_name varchar(64)   not null,
    position    integer       not null,
    address     varchar(2048) not null,
    constraint pk_bridge_address primary key (bridge_name, position),
    constraint fk_bridge_address_bridge foreign key (bridge_name) references bridge (name) on delete cascade
);

-- Topic rules, matched in order of position.
create table bridge_topic_rule (
    bridge_name   varchar(64)   not null,
    position      integer       not null,
    topic_filter  varchar(1024) not null,
    direction     varchar(8)    not null,
    qos           integer       not null,
    local_prefix  varchar(1024) not null,
    remote_prefix varchar(1024) not null,
    constraint pk_bridge_topic_rule primary key (bridge_name, position),
    constraint fk_bridge_topic_rule_bridge foreign key (bridge_name) references bridge (name) on delete cascade
);
