-- Rows per partner, dataset and quarter, dated from $from to $to; {unions} is one
-- "select dataset, partner_id, country, region, d" per dataset of the contract.
with dated as ({unions})
select
    partner_id,
    dataset,
    cast(date_trunc('quarter', d) as date) as quarter_start,
    count(*) as n
from dated
where d between $from and $to and {filters}
group by all
