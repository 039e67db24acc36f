# The two commands a newcomer needs:
#   make demo   run setbot against a local Mattermost and a fake Jira (or: make run CONFIG=setbot.toml)
#   make test   run every test: unit tests with -race, then the end-to-end suite on a real Mattermost
.PHONY: build run demo demo-stop chat test test-unit test-e2e test-e2e-repeat test-faults bench

build:
	go build -o bin/setbot ./cmd/setbot

run: build
	./bin/setbot -config $(or $(CONFIG),setbot.toml)

demo:
	bash scripts/demo start

demo-stop:
	bash scripts/demo stop

# Talk to the demo's setbot from a terminal (its Mattermost has no web app):
# make chat, or make chat AS=alice (support1, support2, alice, bob, carol, dave).
# AS is also make's built-in name of the assembler, hence the origin test.
chat:
	go build -o bin/setbot-chat ./cmd/setbot-chat
	eval "$$(devstack/stack env)" && ./bin/setbot-chat -as $(if $(filter-out default,$(origin AS)),$(AS),support1)

test:
	bash scripts/test all

test-unit:
	bash scripts/test unit

test-e2e:
	bash scripts/test e2e

# The fault suite alone (issue 12): kills, restarts, a lossy network, Jira
# failing, floods and large uploads against the real server.
test-faults:
	bash scripts/test faults

# The end-to-end suite N times in a row (default 10): it must pass every time.
test-e2e-repeat:
	bash scripts/test e2e-repeat $(or $(N),10)

bench:
	go test -run '^$$' -bench . -benchmem ./...

# Issue 17: setbot under load on the local Mattermost, with an echo baseline
# in the same run (scripts/load says more); make load REV=HEAD measures a commit.
.PHONY: load
load:
	bash scripts/load $(REV)
