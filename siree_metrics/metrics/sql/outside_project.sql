-- Records dated after the project end, per dataset and partner: kept, but outside every result.
select dataset, partner_id, count(*) as n, min(d) as first, max(d) as last
from ({unions})
where d > $end
group by dataset, partner_id
order by dataset, partner_id
