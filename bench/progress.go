package main

import (
	"fmt"
	"os"
	"strings"
	"time"
)

// progress shows on stderr which step of the plan runs, how far the plan
// is, and the time spent and left (estimated from the steps so far). On a
// terminal it rewrites one line; otherwise it prints a line per step.
type progress struct {
	total, n int
	start    time.Time
	label    string
	tty      bool
	width    int
}

func newProgress() *progress {
	fi, err := os.Stderr.Stat()
	tty := err == nil && fi.Mode()&os.ModeCharDevice != 0
	return &progress{start: time.Now(), tty: tty}
}

func clock(d time.Duration) string {
	d = d.Round(time.Second)
	return fmt.Sprintf("%d:%02d", int(d.Minutes()), int(d.Seconds())%60)
}

func (p *progress) line(detail string) string {
	el := time.Since(p.start)
	eta := ""
	if p.n > 1 {
		left := time.Duration(float64(el) / float64(p.n-1) * float64(p.total-p.n+1))
		eta = ", ~" + clock(left) + " left"
	}
	s := fmt.Sprintf("[%*d/%d] %s%s · %s", len(fmt.Sprint(p.total)), p.n, p.total, clock(el), eta, p.label)
	if detail != "" {
		s += " · " + detail
	}
	return s
}

func (p *progress) show(s string) {
	if p.tty {
		pad := max(0, p.width-len([]rune(s)))
		fmt.Fprintf(os.Stderr, "\r%s%s", s, strings.Repeat(" ", pad))
		p.width = len([]rune(s))
	} else {
		fmt.Fprintln(os.Stderr, s)
	}
}

// step starts the next step of the plan.
func (p *progress) step(label string) {
	p.n++
	p.label = label
	p.show(p.line(""))
}

// detail says what the current step is doing; only a terminal shows it.
func (p *progress) detail(what string) {
	if p.tty {
		p.show(p.line(what))
	}
}

// note prints a message on a line of its own.
func (p *progress) note(format string, args ...any) {
	if p.tty && p.width > 0 {
		fmt.Fprint(os.Stderr, "\r"+strings.Repeat(" ", p.width)+"\r")
		p.width = 0
	}
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
}

// done ends the display with the total time.
func (p *progress) done() {
	if p.tty {
		fmt.Fprintln(os.Stderr)
	}
	fmt.Fprintf(os.Stderr, "bench: %d steps in %s\n", p.total, clock(time.Since(p.start)))
}
