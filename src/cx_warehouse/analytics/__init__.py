"""Models fitted on the warehouse's summaries, called by the dbt Python models (a thin shell each).

- clv: BG/NBD and Gamma-Gamma maximum-likelihood fits, the expected purchases, P(alive), the expected spend
  and a discounted CLV per account.
- clv_scores: the per-account scores of mart_clv_probabilistic from the RFM summary prep_account_rfm.
- churn_risk: the 90-day churn probability and top reasons per active account (mart_churn_risk) and the
  out-of-time validation (mart_churn_risk_validation, mart_churn_risk_calibration) from the account snapshots
  prep_churn_risk_snapshots (scikit-learn logistic regression).
"""
