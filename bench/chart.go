package main

import (
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

var (
	emberColor = color.RGBA{0xe8, 0x70, 0x2a, 0xff}
	peerColor  = color.RGBA{0x4a, 0x78, 0xa8, 0xff}
	greyText   = color.RGBA{0x55, 0x55, 0x55, 0xff}
)

// chartPanel is one workload's bars, in the order of the contenders.
type chartPanel struct {
	title string
	bars  []chartBar
}

type chartBar struct {
	name  string
	v     float64
	ratio *float64
}

// writeChart draws the throughput figures (ops/s, deliveries/s,
// mutations/s) of a run with gonum/plot: one panel per workload, one
// horizontal bar per contender, on a logarithmic scale shared by all panels
// (the figures span six orders of magnitude, from a network round trip to a
// map lookup). Ember's bars are orange; each bar is labelled with its figure
// and its ratio to Ember's. The file is SVG, or PNG when path ends in .png.
func writeChart(path string, ss []summary, m *meta) error {
	var panels []chartPanel
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, w := range workloads {
		if w.unit != "ops/s" && w.unit != "deliveries/s" && w.unit != "mutations/s" {
			continue
		}
		p := chartPanel{title: w.title + " (" + w.unit + ")"}
		for _, s := range ss {
			if s.Workload == w.name && s.Median != nil && *s.Median > 0 {
				p.bars = append(p.bars, chartBar{s.Contender, *s.Median, s.Ratio})
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
	// Decades of the shared scale; the bars are drawn on a linear axis of
	// log10(figure) - d0, labelled with the figures, so that every bar
	// starts at the same place (a log axis has no zero to start from).
	d0, d1 := math.Floor(math.Log10(lo)), math.Ceil(math.Log10(hi))
	if d1 <= d0 {
		d1 = d0 + 1
	}
	d1++ // room for the labels right of the longest bar

	plot.DefaultFont = font.Font{Typeface: "Liberation", Variant: "Sans"}
	const (
		width   = 960
		header  = 64 // points: title, run, command
		footer  = 22
		perBar  = 17
		perHead = 58 // a panel's title and axis
	)
	height := header + footer
	for _, p := range panels {
		height += perHead + perBar*len(p.bars)
	}

	var c vg.CanvasWriterTo
	if strings.EqualFold(filepath.Ext(path), ".png") {
		c = vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(width, vg.Length(height)), vgimg.UseDPI(96))}
	} else {
		c = vgsvg.New(width, vg.Length(height))
	}
	dc := draw.New(c)
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())

	textAt := func(y vg.Length, size vg.Length, col color.Color, s string) {
		sty := draw.TextStyle{
			Color:   col,
			Font:    font.From(plot.DefaultFont, size),
			Handler: plot.DefaultTextHandler,
			YAlign:  text.YTop,
		}
		dc.FillText(sty, vg.Point{X: 10, Y: dc.Max.Y - y}, s)
	}
	textAt(8, 15, color.Black, "Ember bench: throughput per workload and contender (log scale, higher is better)")
	textAt(30, 10, greyText, fmt.Sprintf("%s · %s, GOMAXPROCS=%d · %s · medians of %d run(s)", m.Date, m.CPU, m.GOMAXPROCS, m.GoVersion, m.Runs))
	textAt(45, 10, greyText, m.Command)

	ticks := plot.ConstantTicks(nil)
	for dec := d0; dec < d1; dec++ {
		ticks = append(ticks, plot.Tick{Value: dec - d0, Label: human(math.Pow(10, dec))})
	}

	// The contender names are drawn here, left of every panel, so that all
	// panels' axes line up whatever names each one has.
	const names = 120
	nameStyle := draw.TextStyle{
		Color:   color.Black,
		Font:    font.From(plot.DefaultFont, 10),
		Handler: plot.DefaultTextHandler,
		XAlign:  text.XRight,
		YAlign:  text.YCenter,
	}
	top := vg.Length(header)
	for _, pn := range panels {
		h := vg.Length(perHead + perBar*len(pn.bars))
		p, err := panelPlot(pn, d0, d1, ticks)
		if err != nil {
			return err
		}
		pc := draw.Crop(dc, names, 0, dc.Max.Y-top-h, -top)
		p.Draw(pc)
		data := p.DataCanvas(pc)
		_, y := p.Transforms(&data)
		for i, b := range pn.bars {
			dc.FillText(nameStyle, vg.Point{X: names - 10, Y: y(float64(len(pn.bars) - 1 - i))}, b.name)
		}
		top += h
	}
	textAt(vg.Length(height-footer+6), 9, greyText, "Figures absent from a panel are operations the contender lacks or that were not selected; see the table.")

	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := c.WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// panelPlot makes one workload's plot: contenders top to bottom, each bar
// labelled with its figure and its ratio to Ember's.
func panelPlot(pn chartPanel, d0, d1 float64, ticks plot.Ticker) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = pn.title
	p.Title.TextStyle.Font = font.From(plot.DefaultFont, 11)
	p.Title.Padding = 4
	p.X.Min, p.X.Max = 0, d1-d0
	p.X.Tick.Marker = ticks
	p.X.Tick.Label.Font.Size = 8
	p.X.Tick.Label.Color = greyText
	p.Add(plotter.NewGrid())

	n := len(pn.bars)
	var labels plotter.XYLabels
	for i, b := range pn.bars {
		row := float64(n - 1 - i) // the first contender at the top
		v := math.Max(math.Log10(b.v)-d0, 0.01)
		bc, err := plotter.NewBarChart(plotter.Values{v}, 12)
		if err != nil {
			return nil, err
		}
		bc.Horizontal = true
		bc.XMin = row
		bc.LineStyle.Width = 0
		bc.Color = peerColor
		if b.name == "ember" {
			bc.Color = emberColor
		}
		p.Add(bc)
		label := human(b.v)
		if b.ratio != nil && b.name != "ember" {
			label += " (" + ratioText(*b.ratio) + "× ember)"
		}
		labels.XYs = append(labels.XYs, plotter.XY{X: v, Y: row})
		labels.Labels = append(labels.Labels, label)
	}
	l, err := plotter.NewLabels(labels)
	if err != nil {
		return nil, err
	}
	for i := range l.TextStyle {
		l.TextStyle[i].Font = font.From(plot.DefaultFont, 9)
		l.TextStyle[i].YAlign = text.YCenter
	}
	l.Offset = vg.Point{X: 4}
	p.Add(l)
	p.Y.Min, p.Y.Max = -0.6, float64(n)-0.4
	p.HideY()
	return p, nil
}
