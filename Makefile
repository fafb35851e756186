# Kundenkartei: the two commands are `make run` and `make test`. Each first
# installs what it needs (scripts/deps.sh), then runs.
GO ?= go
DB ?=
ARGS ?=
PKGS_FAST = ./model/... ./storage/... ./sync/... ./app/...

.PHONY: run test deps test-deps vet fmt-check fuzz bench build package

## run: start the app (on the default database in the user data folder; DB=FILE for another)
run: deps
	$(GO) run . $(if $(DB),-db $(DB)) $(ARGS)

## test: vet and run every test, including the real-window build and the outside-tool cross-checks
test: test-deps
	$(GO) vet ./...
	ICAL_REQUIRE_TOOLS=1 VCARD_REQUIRE_TOOLS=1 REPLICA_REQUIRE_TOOLS=1 $(GO) test -count=1 ./...

deps:
	@scripts/deps.sh build

test-deps:
	@scripts/deps.sh test

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

## fuzz: run each parser fuzz test for a while (FUZZTIME=20s)
FUZZTIME ?= 20s
fuzz:
	CGO_ENABLED=0 $(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) ./sync/vcard/
	CGO_ENABLED=0 $(GO) test -run '^$$' -fuzz '^FuzzRead$$' -fuzztime $(FUZZTIME) ./sync/csv/
	CGO_ENABLED=0 $(GO) test -run '^$$' -fuzz '^FuzzOpenSegment$$' -fuzztime $(FUZZTIME) ./sync/replica/
	CGO_ENABLED=0 $(GO) test -run '^$$' -fuzz '^FuzzParseDate$$' -fuzztime $(FUZZTIME) ./model/

## bench: the benchmarks behind BENCHMARKS.md (builds the large data set once, minutes)
BENCHCOUNT ?= 5
bench:
	CGO_ENABLED=0 $(GO) test -run '^$$' -bench . -benchmem -count $(BENCHCOUNT) -timeout 60m \
		./storage/ ./storage/search/ ./sync/vcard/ ./sync/ical/ ./sync/replica/ | tee bench.txt

build: deps
	$(GO) build -o kundenkartei .

## package: a Linux package with fyne (fyne.io/tools)
package: deps
	$(GO) run fyne.io/tools/cmd/fyne@v1.7.4 package -os linux -release
