-- the id a worker gives its claim: the same claim asked again (its answer was lost) is answered
-- again instead of refused (Fencing.repeatedClaim)
alter table attempts add column claim_id uuid;
