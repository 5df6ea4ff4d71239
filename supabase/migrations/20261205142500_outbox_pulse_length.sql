-- The daily pulse is a 400-character message in the outbox as in brief.briefs.pulse.
alter table whatsapp.outbox
  add constraint outbox_pulse_length check (kind <> 'pulse' or char_length(body) <= 400);
