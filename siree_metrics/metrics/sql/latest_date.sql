-- The latest date (or month) of each (dataset, partner) pair with data: the as-of rule's input.
select dataset, partner_id, max(d) as latest
from ({unions})
where d is not null
group by dataset, partner_id
order by latest desc, dataset, partner_id
