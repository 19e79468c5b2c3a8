-- Expenditure paid on or before $as_of, by month of payment (amounts may be negative: corrections).
select
    cast(date_trunc('month', paid_on) as date) as month,
    cast(sum(amount_eur) as double) as spent_eur,
    count(*) as n,
    count(distinct partner_id) as partners
from expenditure
where paid_on <= $as_of and {filters}
group by all
order by month
