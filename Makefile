# The two commands of the README. Both set up what they need (.venv, .work) on first use.
.PHONY: demo test

demo:  ## Run the main job: local CloudFront endpoint, an invalidation, the example playbook waiting for it
	tools/demo.sh

test:  ## Run every test on both ansible-core lines: unit, local endpoint, integration, installed collection, sanity, lint
	tools/test.sh
