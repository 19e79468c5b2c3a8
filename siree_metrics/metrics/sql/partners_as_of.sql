-- The partners with rows for a count indicator on or before $as_of under the filters.
select distinct partner_id
from {table}
where {date} <= $as_of and {filters}
order by partner_id
