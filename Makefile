# The commands of the README. Both set up what they need (.venv, .work) on first use.
.PHONY: demo test bench

demo:  ## Run the main job: local CloudFront endpoint, an invalidation, the example playbook waiting for it
	tools/demo.sh

test:  ## Run every test on both ansible-core lines: unit, local endpoint, integration, installed collection, sanity, lint
	tools/test.sh

bench:  ## Run the benchmark suite against the alternatives (about 23 minutes): rewrites docs/benchmarks.md
	tools/bench.sh
