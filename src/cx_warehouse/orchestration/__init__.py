"""Running the nightly build under an orchestrator (optional extra `orchestration`): see .dagster."""
