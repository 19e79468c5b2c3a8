-- Expenditure paid on or before $as_of, by month of payment (amounts may be negative: corrections);
-- amounts stay DECIMAL (exact cents).
select
    cast(date_trunc('month', paid_on) as date) as month,
    sum(amount_eur) as spent_eur,
    count(*) as n,
    count(distinct partner_id) as partners
from expenditure
where paid_on <= $as_of and {filters}
group by all
order by month
