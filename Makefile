# Kundenkartei: the two commands are `make run` and `make test`. Each first
# installs what it needs (scripts/deps.sh), then runs.
GO ?= go
DB ?=
ARGS ?=
PKGS_FAST = ./model/... ./storage/... ./sync/... ./app/...

.PHONY: run test deps test-deps vet fmt-check fuzz bench build package windows test-windows vet-darwin

## run: start the app (on the default database in the user data folder; DB=FILE for another)
run: deps
	$(GO) run . $(if $(DB),-db $(DB)) $(ARGS)

## test: vet and run every test, including the real-window build and the outside-tool cross-checks
test: test-deps
	$(GO) vet ./...
	ICAL_REQUIRE_TOOLS=1 VCARD_REQUIRE_TOOLS=1 REPLICA_REQUIRE_TOOLS=1 PDF_REQUIRE_TOOLS=1 $(GO) test -count=1 ./...

deps:
	@scripts/deps.sh build

test-deps:
	@scripts/deps.sh test

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

## fuzz: run each parser fuzz test for a number of inputs (about 10-15 s each
## here); FUZZTIME=60s (or 1000000x) runs every target that long instead.
# Counts, not durations: Go 1.26's fuzz coordinator can report a spurious
# "context deadline exceeded" when a -fuzztime duration ends while a worker
# is busy (go.dev/issue/75804, fixed in Go 1.27); a count has no deadline.
FUZZTIME ?=
FUZZMIN ?= 5s
fuzz:
	CGO_ENABLED=0 $(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(or $(FUZZTIME),150000x) -fuzzminimizetime $(FUZZMIN) ./sync/vcard/
	CGO_ENABLED=0 $(GO) test -run '^$$' -fuzz '^FuzzRead$$' -fuzztime $(or $(FUZZTIME),100000x) -fuzzminimizetime $(FUZZMIN) ./sync/csv/
	CGO_ENABLED=0 $(GO) test -run '^$$' -fuzz '^FuzzOpenSegment$$' -fuzztime $(or $(FUZZTIME),150000x) -fuzzminimizetime $(FUZZMIN) ./sync/replica/
	CGO_ENABLED=0 $(GO) test -run '^$$' -fuzz '^FuzzNoteCodec$$' -fuzztime $(or $(FUZZTIME),50000x) -fuzzminimizetime $(FUZZMIN) ./storage/
	CGO_ENABLED=0 $(GO) test -run '^$$' -fuzz '^FuzzCustomerDecode$$' -fuzztime $(or $(FUZZTIME),150000x) -fuzzminimizetime $(FUZZMIN) ./storage/
	CGO_ENABLED=0 $(GO) test -run '^$$' -fuzz '^FuzzValidJSON$$' -fuzztime $(or $(FUZZTIME),100000x) -fuzzminimizetime $(FUZZMIN) ./storage/
	CGO_ENABLED=0 $(GO) test -run '^$$' -fuzz '^FuzzParseDate$$' -fuzztime $(or $(FUZZTIME),300000x) -fuzzminimizetime $(FUZZMIN) ./model/

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

## windows: cross-build for Windows with mingw-w64: dist/windows/kundenkartei.exe
## (the app), kundenkartei-cli.exe (for cmd.exe), a zip and an MSI installer
windows: deps
	scripts/windows/build.sh dist/windows

## test-windows: the Windows build's smoke test under wine (import, export,
## calendar times, backup, second instance, sync with the Linux build, window)
test-windows: windows
	scripts/windows/test.sh dist/windows

## vet-darwin: vet the packages without cgo as macOS builds them
vet-darwin:
	GOOS=darwin GOARCH=arm64 CGO_ENABLED=0 $(GO) vet ./model/... ./storage/... ./sync/...
