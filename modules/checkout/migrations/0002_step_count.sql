-- How many steps the saga has logged: the next step's `seq`. Kept on the saga row so recording a
-- step is one statement (update the saga, returning its count, and insert the step with it): the
-- row lock the update takes orders two drivers of one saga, and the count it returns is the one
-- that lock protects (a `max(seq)` subquery in the same statement would read an older snapshot).
alter table checkout.sagas add column step_count integer not null default 0;
update checkout.sagas s
   set step_count = (select coalesce(max(seq), 0) from checkout.saga_steps where saga_id = s.id);
