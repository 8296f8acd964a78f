package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
)

// workload describes one row group of the report.
type workload struct {
	name   string // as given to -workloads
	group  string // store, pubsub or replication
	title  string
	unit   string // of the main figure
	higher bool   // a higher main figure is better
	extras []extra
	// once: measured in the first run only, because it is slow and varies
	// little (heap per key, TTL reclaim, full sync).
	once bool
}

// extra is a secondary figure of a workload, shown in the notes column.
type extra struct {
	key    string // in JSON
	format func(v float64) string
}

func (w *workload) opsLike() bool { return w.unit == "ops/s" }

var workloads = []*workload{
	{name: "set", group: "store", title: "SET of new keys", unit: "ops/s", higher: true},
	{name: "set-ttl", group: "store", title: "SET of new keys with a 60 s TTL", unit: "ops/s", higher: true},
	{name: "get", group: "store", title: "GET hit, uniform", unit: "ops/s", higher: true, extras: []extra{hitRatio}},
	{name: "get-zipf", group: "store", title: "GET hit, Zipf(0.99)", unit: "ops/s", higher: true, extras: []extra{hitRatio}},
	{name: "mixed", group: "store", title: "90% GET / 10% SET, one goroutine per core, uniform", unit: "ops/s", higher: true, extras: []extra{hitRatio}},
	{name: "mixed-zipf", group: "store", title: "90% GET / 10% SET, one goroutine per core, Zipf(0.99)", unit: "ops/s", higher: true, extras: []extra{hitRatio}},
	{name: "hset", group: "store", title: "HSET, hashes of 10 fields (keys/10 hashes)", unit: "ops/s", higher: true},
	{name: "hget", group: "store", title: "HGET, hashes of 10 fields, uniform", unit: "ops/s", higher: true, extras: []extra{hitRatio}},
	{name: "heap", group: "store", title: "memory per key after loading (Go heap; RSS for redis-server)", unit: "B/key", once: true,
		extras: []extra{{"used_memory_B_per_key", func(v float64) string { return fmt.Sprintf("used_memory %.0f B/key", v) }}}},
	{name: "reclaim", group: "store", title: "TTL reclaim: all keys share one deadline; seconds from it until none is left", unit: "s", once: true,
		extras: []extra{
			{"cpu_s", func(v float64) string { return "CPU " + fmtNs(v*1e9) }},
			{"cpu_ns_per_key", func(v float64) string { return fmt.Sprintf("%.0f ns/key", v) }},
		}},
}

var hitRatio = extra{"hit_ratio", func(v float64) string {
	if v >= 0.99995 {
		return ""
	}
	return fmt.Sprintf("hit ratio %.1f%%", 100*v)
}}

func workloadByName(name string) *workload {
	for _, w := range workloads {
		if w.name == name {
			return w
		}
	}
	return nil
}

// row is one workload × contender: the figures of every run and their
// summary.
type row struct {
	w         *workload
	contender string
	runs      []float64
	allocs    []float64 // per op, per run; empty where Go cannot measure them
	extras    map[string][]float64
	note      string
	missing   string // why the contender lacks the operation
}

// results keeps the rows in the order they were first recorded.
type results struct {
	rows  []*row
	index map[string]*row
}

func (rs *results) get(w *workload, contender string) *row {
	if rs.index == nil {
		rs.index = map[string]*row{}
	}
	k := w.name + "\x00" + contender
	r := rs.index[k]
	if r == nil {
		r = &row{w: w, contender: contender, extras: map[string][]float64{}}
		rs.index[k] = r
		rs.rows = append(rs.rows, r)
	}
	return r
}

// add records one run's figure; allocs < 0 means not measurable.
func (rs *results) add(w *workload, contender string, v, allocs float64, extras map[string]float64, note string) {
	r := rs.get(w, contender)
	r.runs = append(r.runs, v)
	if allocs >= 0 {
		r.allocs = append(r.allocs, allocs)
	}
	for k, x := range extras {
		r.extras[k] = append(r.extras[k], x)
	}
	if note != "" {
		r.note = note
	}
}

func (rs *results) lack(w *workload, contender, why string) {
	rs.get(w, contender).missing = why
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// spread is the largest distance of a run from the median, in percent of it.
func spread(xs []float64) float64 {
	m := median(xs)
	if len(xs) < 2 || m == 0 || math.IsInf(m, 0) {
		return math.NaN()
	}
	d := 0.0
	for _, x := range xs {
		d = max(d, math.Abs(x-m))
	}
	return 100 * d / math.Abs(m)
}

// summary is a row's figures as printed.
type summary struct {
	Workload    string             `json:"workload"`
	Title       string             `json:"title"`
	Contender   string             `json:"contender"`
	Unit        string             `json:"unit,omitempty"`
	Better      string             `json:"better,omitempty"`
	Median      *float64           `json:"median,omitempty"`
	SpreadPct   *float64           `json:"spread_pct,omitempty"`
	Runs        []float64          `json:"runs,omitempty"`
	NsPerOp     *float64           `json:"ns_per_op,omitempty"`
	AllocsPerOp *float64           `json:"allocs_per_op,omitempty"`
	Ratio       *float64           `json:"ratio_to_ember,omitempty"`
	Extras      map[string]float64 `json:"extras,omitempty"`
	Note        string             `json:"note,omitempty"`
	Missing     string             `json:"missing,omitempty"`
	Meta        *meta              `json:"meta,omitempty"`
}

func ptr(f float64) *float64 {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil
	}
	return &f
}

func (rs *results) summaries() []summary {
	var out []summary
	for _, w := range workloads {
		var group []*row
		for _, r := range rs.rows {
			if r.w == w {
				group = append(group, r)
			}
		}
		order := contenderOrder(w.group)
		slices.SortStableFunc(group, func(a, b *row) int {
			return slices.Index(order, a.contender) - slices.Index(order, b.contender)
		})
		ref := math.NaN()
		for _, r := range group {
			if r.contender == "ember" && r.missing == "" {
				ref = median(r.runs)
			}
		}
		for _, r := range group {
			s := summary{Workload: w.name, Title: w.title, Contender: r.contender, Missing: r.missing, Note: r.note}
			if r.missing == "" && len(r.runs) > 0 {
				m := median(r.runs)
				s.Unit = w.unit
				s.Better = "lower"
				if w.higher {
					s.Better = "higher"
				}
				s.Median = ptr(m)
				s.SpreadPct = ptr(spread(r.runs))
				s.Runs = r.runs
				if w.opsLike() && m > 0 {
					s.NsPerOp = ptr(1e9 / m)
				}
				if len(r.allocs) > 0 {
					s.AllocsPerOp = ptr(median(r.allocs))
				}
				if ref > 0 {
					s.Ratio = ptr(m / ref)
				}
				if len(r.extras) > 0 {
					s.Extras = map[string]float64{}
					for k, xs := range r.extras {
						s.Extras[k] = median(xs)
					}
				}
			}
			out = append(out, s)
		}
	}
	return out
}

// --- formatting ---

// human formats v with three significant digits and a k/M/G suffix.
func human(v float64) string {
	switch a := math.Abs(v); {
	case math.IsNaN(v):
		return "n/a"
	case math.IsInf(v, 1):
		return "∞"
	case a >= 1e9:
		return fmt.Sprintf("%.3gG", v/1e9)
	case a >= 1e6:
		return fmt.Sprintf("%.3gM", v/1e6)
	case a >= 1e4:
		return fmt.Sprintf("%.3gk", v/1e3)
	case a >= 100:
		return fmt.Sprintf("%.0f", v)
	case a >= 1:
		return fmt.Sprintf("%.3g", v)
	}
	return fmt.Sprintf("%.2g", v)
}

func fmtNs(ns float64) string {
	switch {
	case ns >= 1e9:
		return fmt.Sprintf("%.3g s", ns/1e9)
	case ns >= 1e6:
		return fmt.Sprintf("%.3g ms", ns/1e6)
	case ns >= 1e4:
		return fmt.Sprintf("%.3g µs", ns/1e3)
	}
	return fmt.Sprintf("%.0f ns", ns)
}

func optional(p *float64, f func(float64) string) string {
	if p == nil {
		return ""
	}
	return f(*p)
}

// ratioText formats a ratio to Ember with two decimals, or two significant
// digits below 0.1 (so that a hundredth is not shown as 0.00).
func ratioText(f float64) string {
	if f < 0.1 {
		return fmt.Sprintf("%.2g", f)
	}
	return fmt.Sprintf("%.2f", f)
}

// cells returns a summary's cells: contender, figure, spread, ns/op,
// allocs/op, × Ember, notes.
func (s summary) cells(w *workload) []string {
	if s.Missing != "" {
		return []string{s.Contender, "—", "", "", "", "", s.Missing}
	}
	if s.Median == nil {
		return []string{s.Contender, "n/a", "", "", "", "", s.Note}
	}
	fig := human(*s.Median)
	if w.unit == "s" {
		fig = fmt.Sprintf("%.3g", *s.Median)
	}
	var notes []string
	for _, e := range w.extras {
		if v, ok := s.Extras[e.key]; ok {
			if t := e.format(v); t != "" {
				notes = append(notes, t)
			}
		}
	}
	if s.Note != "" {
		notes = append(notes, s.Note)
	}
	return []string{
		s.Contender,
		fig,
		optional(s.SpreadPct, func(f float64) string { return fmt.Sprintf("±%.0f%%", f) }),
		optional(s.NsPerOp, fmtNs),
		optional(s.AllocsPerOp, func(f float64) string {
			switch {
			case f < 0.005:
				return "0"
			case f < 10:
				return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.2f", f), "0"), ".")
			}
			return fmt.Sprintf("%.0f", f)
		}),
		optional(s.Ratio, ratioText),
		strings.Join(notes, "; "),
	}
}

func (w *workload) header() string {
	dir := "lower is better"
	if w.higher {
		dir = "higher is better"
	}
	once := ""
	if w.once {
		once = ", measured once"
	}
	return fmt.Sprintf("%s — %s, %s%s", w.title, w.unit, dir, once)
}

var columns = []string{"contender", "figure", "spread", "ns/op", "allocs/op", "× ember", "notes"}

// writeText prints one aligned table per workload.
func writeText(out io.Writer, ss []summary) {
	for _, w := range workloads {
		var rows [][]string
		for _, s := range ss {
			if s.Workload == w.name {
				rows = append(rows, s.cells(w))
			}
		}
		if len(rows) == 0 {
			continue
		}
		fmt.Fprintf(out, "\n%s  [%s]\n", w.header(), w.name)
		head := slices.Clone(columns)
		head[1] = w.unit
		all := dropEmptyColumns(append([][]string{head}, rows...))
		width := make([]int, len(head))
		for _, r := range all {
			for i, c := range r {
				width[i] = max(width[i], len([]rune(c)))
			}
		}
		for _, r := range all {
			var b strings.Builder
			for i, c := range r {
				pad := width[i] - len([]rune(c))
				if left := all[0][i] == "contender" || all[0][i] == "notes"; left {
					b.WriteString(c)
					if i < len(r)-1 {
						b.WriteString(strings.Repeat(" ", pad))
					}
				} else {
					b.WriteString(strings.Repeat(" ", pad))
					b.WriteString(c)
				}
				if i < len(r)-1 {
					b.WriteString("  ")
				}
			}
			fmt.Fprintln(out, strings.TrimRight(b.String(), " "))
		}
	}
}

// dropEmptyColumns removes the columns whose cells, below the header, are
// all empty.
func dropEmptyColumns(t [][]string) [][]string {
	keep := make([]bool, len(t[0]))
	keep[0], keep[1] = true, true
	for _, r := range t[1:] {
		for i, c := range r {
			if c != "" {
				keep[i] = true
			}
		}
	}
	out := make([][]string, len(t))
	for j, r := range t {
		for i, c := range r {
			if keep[i] {
				out[j] = append(out[j], c)
			}
		}
	}
	return out
}

// writeMarkdown prints one table per workload.
func writeMarkdown(out io.Writer, ss []summary) {
	for _, w := range workloads {
		var rows [][]string
		for _, s := range ss {
			if s.Workload == w.name {
				rows = append(rows, s.cells(w))
			}
		}
		if len(rows) == 0 {
			continue
		}
		fmt.Fprintf(out, "\n**%s** (`%s`)\n\n", w.header(), w.name)
		head := slices.Clone(columns)
		head[1] = w.unit
		all := dropEmptyColumns(append([][]string{head}, rows...))
		head, rows = all[0], all[1:]
		fmt.Fprintf(out, "| %s |\n", strings.Join(head, " | "))
		var sep []string
		for _, h := range head {
			if h == "contender" || h == "notes" {
				sep = append(sep, "---")
			} else {
				sep = append(sep, "---:")
			}
		}
		fmt.Fprintf(out, "|%s|\n", strings.Join(sep, "|"))
		for _, r := range rows {
			for i := range r {
				r[i] = strings.ReplaceAll(r[i], "|", `\|`)
			}
			fmt.Fprintf(out, "| %s |\n", strings.Join(r, " | "))
		}
	}
}

// writeJSON prints one JSON object per line, one per workload × contender,
// each carrying the machine and the command line.
func writeJSON(out io.Writer, ss []summary, m *meta) error {
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	for _, s := range ss {
		s.Meta = m
		if err := enc.Encode(s); err != nil {
			return err
		}
	}
	return nil
}
