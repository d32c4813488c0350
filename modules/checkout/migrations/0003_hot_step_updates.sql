-- A saga's row is updated at every step (step, step_count, lease_until, updated_at, …). With
-- `lease_until` in an index no step update could be a HOT update, so each one wrote a new entry in
-- all four of the table's indexes: the step updates were 15-30 % of PostgreSQL's time in a checkout
-- (bench:checkout --statements). The recovery worker's index now lists the unfinished sagas by
-- creation, with no column a step changes; it filters their leases (few rows: only sagas in flight
-- or left by a crash are unfinished). Room on each page lets the new row versions stay beside the
-- old ones (a HOT update needs free space on the same page).
drop index checkout.sagas_unfinished_by_lease;
create index sagas_unfinished on checkout.sagas (created_at) where status in ('running', 'compensating');
alter table checkout.sagas set (fillfactor = 70);
