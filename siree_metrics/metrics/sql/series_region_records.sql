-- region_activity(): rows reported per region in [$from, $to] over the indicator datasets ({unions}).
select region, sum(rows) as records
from ({unions})
group by region
