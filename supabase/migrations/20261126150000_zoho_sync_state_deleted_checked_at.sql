-- purpose: remember when each module's deleted-records list was last read, so deletion checks run on their own cadence
alter table zoho.sync_state add column deleted_checked_at timestamptz;
comment on column zoho.sync_state.deleted_checked_at is
  'Zoho server time of the last /deleted read (ZOHO_DELETED_CHECK_MINUTES cadence; restores are found there too)';
