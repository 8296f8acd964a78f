# Everyday commands; CI runs .ci/run.
.PHONY: test race lint fuzz bench

test:
	go test -count=1 ./...

race:
	go test -race -count=1 ./...

lint:
	gofmt -l .
	go vet ./...
	staticcheck ./...

# Each fuzz target for FUZZTIME (default 60s).
FUZZTIME ?= 60s
fuzz:
	go test -run '^$$' -fuzz '^FuzzMatch$$' -fuzztime $(FUZZTIME) ./internal/glob
	go test -run '^$$' -fuzz '^FuzzReader$$' -fuzztime $(FUZZTIME) ./internal/resp
	go test -run '^$$' -fuzz '^FuzzReader$$' -fuzztime $(FUZZTIME) ./internal/rdb

# The store's benchmarks against the map+RWMutex baseline, for benchstat.
bench:
	go test -run '^$$' -bench . -count 10 ./store | tee bench.txt
	benchstat -col /impl bench.txt
