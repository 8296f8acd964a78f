package main

import (
	"fmt"
	"html"
	"math"
	"os"
	"strings"
)

// writeChart draws the throughput figures (ops/s, deliveries/s,
// mutations/s) of a run as an SVG file: one panel per workload, one
// horizontal bar per contender, on a logarithmic scale shared by all panels
// (the figures span six orders of magnitude, from a network round trip to a
// map lookup). Ember's bars are orange; each bar is labelled with its figure
// and its ratio to Ember's.
func writeChart(path string, ss []summary, m *meta) error {
	type bar struct {
		name  string
		v     float64
		ratio *float64
	}
	type panel struct {
		title, unit string
		bars        []bar
	}
	var panels []panel
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, w := range workloads {
		if w.unit != "ops/s" && w.unit != "deliveries/s" && w.unit != "mutations/s" {
			continue
		}
		p := panel{title: w.title, unit: w.unit}
		for _, s := range ss {
			if s.Workload == w.name && s.Median != nil && *s.Median > 0 {
				p.bars = append(p.bars, bar{s.Contender, *s.Median, s.Ratio})
				lo, hi = math.Min(lo, *s.Median), math.Max(hi, *s.Median)
			}
		}
		if len(p.bars) > 0 {
			panels = append(panels, p)
		}
	}
	if len(panels) == 0 {
		return fmt.Errorf("no throughput figures to draw")
	}
	d0, d1 := math.Floor(math.Log10(lo)), math.Ceil(math.Log10(hi))
	if d1 <= d0 {
		d1 = d0 + 1
	}

	const (
		width    = 960
		left     = 120 // contender names
		right    = 150 // figure labels
		barH     = 14
		gap      = 4
		titleH   = 34
		panelGap = 14
		top      = 70
	)
	plotW := float64(width - left - right)
	x := func(v float64) float64 { return plotW * (math.Log10(v) - d0) / (d1 - d0) }
	height := top + 40
	for _, p := range panels {
		height += titleH + len(p.bars)*(barH+gap) + panelGap + 2
	}

	var b strings.Builder
	esc := html.EscapeString
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="Helvetica, Arial, sans-serif" font-size="11">`+"\n", width, height, width, height)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	fmt.Fprintf(&b, `<text x="10" y="22" font-size="16" font-weight="bold">Ember bench: throughput per workload and contender (log scale, higher is better)</text>`+"\n")
	fmt.Fprintf(&b, `<text x="10" y="40" fill="#555">%s · %s, GOMAXPROCS=%d · %s · medians of %d run(s)</text>`+"\n",
		esc(m.Date), esc(m.CPU), m.GOMAXPROCS, esc(m.GoVersion), m.Runs)
	fmt.Fprintf(&b, `<text x="10" y="56" fill="#555">%s</text>`+"\n", esc(m.Command))

	y := top
	for _, p := range panels {
		fmt.Fprintf(&b, `<text x="10" y="%d" font-weight="bold">%s</text>`+"\n", y+14, esc(p.title+" ("+p.unit+")"))
		y0 := y + titleH - 10
		y1 := y0 + len(p.bars)*(barH+gap)
		for dec := d0; dec <= d1; dec++ {
			gx := float64(left) + x(math.Pow(10, dec))
			fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#ddd"/>`+"\n", gx, y0-4, gx, y1)
			fmt.Fprintf(&b, `<text x="%.1f" y="%d" fill="#888" text-anchor="middle" font-size="9">%s</text>`+"\n", gx, y1+8, human(math.Pow(10, dec)))
		}
		for i, br := range p.bars {
			by := y0 + i*(barH+gap)
			color := "#4a78a8"
			if br.name == "ember" {
				color = "#e8702a"
			}
			fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">%s</text>`+"\n", left-6, by+barH-3, esc(br.name))
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"/>`+"\n", left, by, math.Max(1, x(br.v)), barH, color)
			label := human(br.v)
			if br.ratio != nil && br.name != "ember" {
				label += "  (" + ratioText(*br.ratio) + "× ember)"
			}
			fmt.Fprintf(&b, `<text x="%.1f" y="%d">%s</text>`+"\n", float64(left)+math.Max(1, x(br.v))+4, by+barH-3, esc(label))
		}
		y = y1 + panelGap + 12
	}
	fmt.Fprintf(&b, `<text x="10" y="%d" fill="#888">Figures absent from a panel are operations the contender lacks or that were not selected; see the table.</text>`+"\n", height-12)
	b.WriteString("</svg>\n")
	return os.WriteFile(path, []byte(b.String()), 0o644)
}
