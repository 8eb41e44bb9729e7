-- Where each (re)connect of a bridge starts in its address list: 'in-order' or 'round-robin'.
alter table bridge add column failover varchar(16) default 'in-order' not null;
