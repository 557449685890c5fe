# The commands of the README. Both set up what they need (.venv, .work) on first use.
.PHONY: demo test bench mutate

demo:  ## Run the main job: local CloudFront endpoint, an invalidation, the example playbook waiting for it
	tools/demo.sh

test:  ## Run every test on both ansible-core lines: unit, local endpoint, integration, installed collection, sanity, lint
	tools/test.sh

bench:  ## Run the benchmark suite against the alternatives (about 70 minutes, nearly half of it the cost per gate's 30-minute gates): rewrites docs/benchmarks.md
	tools/bench.sh

mutate:  ## Mutation testing in copies of the tree: cosmic-ray over plugins/ (about 20 minutes on two idle cores, 40 on one), then the wiring mutants (about 15 minutes): docs/testing.md
	tools/mutate.sh
	tools/line.sh 2.19 python tools/wiring_mutants.py
