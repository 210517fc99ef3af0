"""The demo-data generator: deterministic raw exports of the 13 contract tables, with bad rows planted and the
manifests of what the warehouse must find (`cxw generate`, cx_warehouse.generator.dataset.generate).

- dataset: the entry point; simulates accounts chunk by chunk and writes the files and manifests;
- accounts: one account's simulation, put together from the per-family simulators:
  crm (profile, contacts), revenue (contracts, invoices), churn, onboarding, support, touchpoints (survey
  sends), responses (answers, comments) and feedback (closed-loop cases); basics holds what they share;
- catalog: segments, regions, surveys and questions, names; comment_templates: comment and churn texts;
- output: typed columns to CSV/Parquet text; faults and injector: the kinds of bad rows and findings, where
  they go, and the manifests.
"""
