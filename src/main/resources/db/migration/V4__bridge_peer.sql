-- Two hubs bridged to each other: the client id of the remote hub's bridge back to this hub.
alter table bridge add column peer_client_id varchar(128);
