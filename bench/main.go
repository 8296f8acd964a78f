// Command bench measures Ember's store, pub/sub and replication side by side
// with Go baselines, peer libraries and a real redis-server, on identical
// data, and prints a table (or Markdown, or JSON lines) with every figure
// also given as a ratio to Ember's from the same run.
//
//	go -C bench run .                      # the default suite, a few minutes
//	go -C bench run . -workloads get,mixed -contenders ember,otter -runs 5
//	go -C bench run . -format markdown -chart chart.svg
//
// See README.md in this directory for the workloads, the contenders and how
// to read the table.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

var (
	flagWorkloads  = flag.String("workloads", "all", "comma-separated workloads or groups (store, pubsub, replication); see -list")
	flagContenders = flag.String("contenders", "all", "comma-separated contenders; see -list (ember is the reference of the ratios)")
	flagKeys       = flag.Int("keys", 1<<20, "keys in the dataset (16-byte keys, 64-byte values)")
	flagDuration   = flag.Duration("duration", 300*time.Millisecond, "length of each timed measurement")
	flagRuns       = flag.Int("runs", 3, "runs of every measurement (median and spread are reported); heap, reclaim and full sync run once")
	flagFormat     = flag.String("format", "text", "output: text, markdown or json (JSON lines, one per workload × contender)")
	flagChart      = flag.String("chart", "", "write an SVG chart of ops/s per workload and contender to this file")
	flagList       = flag.Bool("list", false, "list the workloads and contenders and exit")
)

var (
	selectedWorkloads  = map[string]bool{}
	selectedContenders = map[string]bool{}
)

// meta describes the machine and the run; it heads the output.
type meta struct {
	Date       string            `json:"date"`
	Command    string            `json:"command"`
	GoVersion  string            `json:"go"`
	GOMAXPROCS int               `json:"gomaxprocs"`
	NumCPU     int               `json:"num_cpu"`
	CPU        string            `json:"cpu"`
	OS         string            `json:"os"`
	Redis      string            `json:"redis"`
	Keys       int               `json:"keys"`
	Duration   string            `json:"duration"`
	Runs       int               `json:"runs"`
	Modules    map[string]string `json:"modules"`
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}

// commandLine is the command as typed, quoted for a shell where needed.
func commandLine() string {
	args := []string{"go -C bench run ."}
	for _, a := range os.Args[1:] {
		if strings.ContainsAny(a, " \t'\"$*?;&|<>()") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		args = append(args, a)
	}
	return strings.Join(args, " ")
}

func newMeta() *meta {
	m := &meta{
		Date:       time.Now().UTC().Format("2006-01-02 15:04 MST"),
		Command:    commandLine(),
		GoVersion:  runtime.Version(),
		GOMAXPROCS: runtime.GOMAXPROCS(0),
		NumCPU:     runtime.NumCPU(),
		CPU:        cpuModel(),
		OS:         runtime.GOOS + "/" + runtime.GOARCH,
		Redis:      redisVersion(),
		Keys:       *flagKeys,
		Duration:   flagDuration.String(),
		Runs:       *flagRuns,
		Modules:    map[string]string{},
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if slices.Contains(peerModules, d.Path) {
				m.Modules[d.Path] = d.Version
			}
		}
	}
	return m
}

func (m *meta) write(f *os.File, markdown bool) {
	var mods []string
	for p, v := range m.Modules {
		mods = append(mods, strings.TrimPrefix(p, "github.com/")+" "+v)
	}
	slices.Sort(mods)
	lines := []string{
		"Ember bench — " + m.Date,
		"command:    " + m.Command,
		fmt.Sprintf("machine:    %s, %d CPUs, GOMAXPROCS=%d, %s", m.CPU, m.NumCPU, m.GOMAXPROCS, m.OS),
		"go:         " + m.GoVersion,
		"redis:      " + m.Redis,
		fmt.Sprintf("dataset:    %d keys of 16 bytes, values of 64 bytes; %v per measurement, %d run(s) (median, spread = largest distance of a run from it)", m.Keys, m.Duration, m.Runs),
		"peers:      " + strings.Join(mods, ", "),
		"ratios:     \"× ember\" is the contender's figure over Ember's in the same run (for ops/s, above 1 is faster than Ember; for B/key, s and latency, above 1 is more)",
	}
	if selectedContenders["ristretto"] {
		lines = append(lines, "ristretto:  Set is asynchronous and drops writes when its buffer is full: timed write loops end with Wait() inside the timing and report the share of Sets dropped; the untimed loading before the reads repeats dropped Sets until accepted; read rows give the hit ratio")
	}
	if markdown {
		fmt.Fprintln(f, "```")
	}
	for _, l := range lines {
		fmt.Fprintln(f, l)
	}
	if markdown {
		fmt.Fprintln(f, "```")
	}
}

var peerModules = []string{
	"github.com/patrickmn/go-cache",
	"github.com/tidwall/buntdb",
	"github.com/maypok86/otter/v2",
	"github.com/dgraph-io/ristretto/v2",
	"github.com/alicebob/miniredis/v2",
	"github.com/redis/go-redis/v9",
}

func main() {
	flag.Parse()
	// Whatever happens, no redis-server outlives bench.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	go func() {
		s := <-sig
		interrupted.Store(true)
		fmt.Fprintf(os.Stderr, "\nbench: %v: stopping the redis-servers it started\n", s)
		stopAllRedis()
		os.Exit(130)
	}()
	code := run()
	if interrupted.Load() {
		select {} // the signal handler exits once the servers are stopped
	}
	stopAllRedis()
	os.Exit(code)
}

// interrupted is set when a signal asks bench to stop.
var interrupted atomic.Bool

func run() (code int) {
	defer func() {
		if r := recover(); r != nil {
			stopAllRedis()
			panic(r)
		}
	}()
	if *flagList {
		list()
		return 0
	}
	if err := parseSelection(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return 2
	}
	switch *flagFormat {
	case "text", "markdown", "json":
	default:
		fmt.Fprintf(os.Stderr, "bench: -format %q: want text, markdown or json\n", *flagFormat)
		return 2
	}
	if *flagKeys < 1000 || *flagRuns < 1 || *flagDuration <= 0 {
		fmt.Fprintln(os.Stderr, "bench: -keys must be at least 1000, -runs at least 1, -duration positive")
		return 2
	}

	m := newMeta()
	if *flagFormat != "json" {
		m.write(os.Stdout, *flagFormat == "markdown")
	}
	if redisPath == "" {
		fmt.Fprintln(os.Stderr, "bench: redis-server is not on PATH: the redis contenders are skipped (apt-get install redis-server, or see README.md)")
	}

	p := newProgress()
	p.note("building the dataset: %d keys", *flagKeys)
	d := newDataset(*flagKeys)
	rs := &results{}
	tasks := plan(d, rs)
	p.total = len(tasks)
	failed := 0
	for _, t := range tasks {
		if interrupted.Load() {
			return 130
		}
		p.step(t.label)
		if err := t.run(p); err != nil {
			failed++
			p.note("%s: %v", t.label, err)
		}
	}
	p.done()

	ss := rs.summaries()
	switch *flagFormat {
	case "text":
		writeText(os.Stdout, ss)
	case "markdown":
		writeMarkdown(os.Stdout, ss)
	case "json":
		if err := writeJSON(os.Stdout, ss, m); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			return 1
		}
	}
	if *flagChart != "" {
		if err := writeChart(*flagChart, ss, m); err != nil {
			fmt.Fprintln(os.Stderr, "bench: chart:", err)
			return 1
		}
		fmt.Fprintf(os.Stderr, "bench: chart written to %s\n", *flagChart)
	}
	if failed > 0 {
		fmt.Fprintf(os.Stderr, "bench: %d measurements failed (see above)\n", failed)
		return 1
	}
	return 0
}

// task is one step of the plan, shown by the progress display.
type task struct {
	label string
	run   func(p *progress) error
}

func parseSelection() error {
	for _, w := range strings.Split(*flagWorkloads, ",") {
		w = strings.TrimSpace(w)
		found := false
		for _, x := range workloads {
			if w == "all" || w == x.name || w == x.group {
				selectedWorkloads[x.name] = true
				found = true
			}
		}
		if !found {
			return fmt.Errorf("unknown workload %q (see -list)", w)
		}
	}
	names := allContenderNames()
	for _, c := range strings.Split(*flagContenders, ",") {
		c = strings.TrimSpace(c)
		if c == "all" {
			for _, n := range names {
				selectedContenders[n] = true
			}
			continue
		}
		if !slices.Contains(names, c) {
			return fmt.Errorf("unknown contender %q (see -list)", c)
		}
		selectedContenders[c] = true
	}
	return nil
}

func allContenderNames() []string {
	var names []string
	for _, c := range storeContenders() {
		names = append(names, c.name)
	}
	for _, c := range pubsubContenders() {
		if !slices.Contains(names, c.name) {
			names = append(names, c.name)
		}
	}
	return names
}

// contenderOrder is the order of the rows of a group's tables.
func contenderOrder(group string) []string {
	var names []string
	switch group {
	case "pubsub":
		for _, c := range pubsubContenders() {
			names = append(names, c.name)
		}
	case "replication":
		names = append(names, "loopback")
	}
	return append(names, allContenderNames()...)
}

func list() {
	fmt.Println("workloads (-workloads, also by group):")
	for _, w := range workloads {
		fmt.Printf("  %-14s %-12s %s (%s)\n", w.name, w.group, w.title, w.unit)
	}
	fmt.Println("\ncontenders (-contenders):")
	for _, c := range storeContenders() {
		fmt.Printf("  %-12s %s\n", c.name, c.what)
	}
	for _, c := range pubsubContenders() {
		fmt.Printf("  %-12s pub/sub: %s\n", c.name, c.what)
	}
	for _, c := range replContenders() {
		fmt.Printf("  %-12s replication: %s\n", c.name, c.what)
	}
}

// plan lists the tasks of the run in order: the heap's warm-up (warmHeap),
// then the store workloads run after run, contender after contender; the
// slow once-only ones follow, then pub/sub and replication.
func plan(d *dataset, rs *results) []task {
	var tasks []task
	var store []*contender
	for _, c := range storeContenders() {
		if selectedContenders[c.name] {
			store = append(store, c)
		}
	}
	// Record the "—" of every selected workload a contender lacks, and skip
	// what cannot run here.
	runnable := func(c *contender, w string) bool {
		if !sel(w) {
			return false
		}
		if why := lacks(c, w); why != "" {
			rs.lack(workloadByName(w), c.name, why)
			return false
		}
		if c.remote && redisPath == "" {
			rs.lack(workloadByName(w), c.name, "skipped: redis-server not on PATH")
			return false
		}
		return true
	}
	type job struct {
		name string
		ws   []string
		fn   func(*contender, *dataset, *results, *progress) error
	}
	perRun := []job{
		{"strings", []string{"set", "get", "get-zipf", "mixed", "mixed-zipf"}, stringsTask},
		{"hashes", []string{"hset", "hget"}, hashTask},
		{"ttl", []string{"set-ttl"}, ttlTask},
	}
	once := []job{
		{"heap", []string{"heap"}, heapTask},
		{"reclaim", []string{"reclaim"}, reclaimTask},
	}
	add := func(j job, run int) {
		for k := range store {
			// Each run starts with the next contender. A task's place in
			// the order changes its figure by up to 2x (2026-12-03, Ember
			// and the map alone, 3 runs: HSET first 2.1-3.5 M/s, second
			// 4.7-7.5; SET second 1.5-1.7, first 2.6-4.1). Before the
			// first HSET the scavenger had just returned 55-57 MB of the
			// heap to the OS (scavtrace), which it faults back in; why
			// SET is slower second is not known. With one fixed order
			// Ember, first in every run, had the same place in every
			// run; rotated, each place falls on a different contender in
			// each run.
			c := store[(k+max(run, 1)-1)%len(store)]
			ok := false
			for _, w := range j.ws {
				if runnable(c, w) {
					ok = true
				}
			}
			if !ok {
				continue
			}
			label := fmt.Sprintf("run %d/%d · %s · %s", run, *flagRuns, j.name, c.name)
			if run == 0 {
				label = fmt.Sprintf("%s · %s", j.name, c.name)
			}
			tasks = append(tasks, task{label, func(p *progress) error { return j.fn(c, d, rs, p) }})
		}
	}
	if len(store) > 0 && slices.ContainsFunc(perRun, func(j job) bool { return slices.ContainsFunc(j.ws, sel) }) {
		tasks = append(tasks, task{"warming the heap", func(*progress) error { warmHeap(d); return nil }})
	}
	for run := 1; run <= *flagRuns; run++ {
		for _, j := range perRun {
			add(j, run)
		}
	}
	for _, j := range once {
		add(j, 0)
	}
	tasks = append(tasks, pubsubPlan(rs)...)
	tasks = append(tasks, replPlan(d, rs)...)
	return tasks
}
