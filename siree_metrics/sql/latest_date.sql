-- The latest date (or month) any dataset holds.
select max(d) from ({unions})
