"""Models fitted on the warehouse's summaries, called by the dbt Python models (a thin shell each).

- clv: BG/NBD and Gamma-Gamma maximum-likelihood fits, the expected purchases, P(alive), the expected spend
  and a discounted CLV per account.
- clv_scores: the per-account scores of mart_clv_probabilistic from the RFM summary prep_account_rfm.
"""
