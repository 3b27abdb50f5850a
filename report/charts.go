package report

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// The charts are drawn here as plain geometry and turned into SVG by the
// page's template, so every label goes through html/template's escaping.
// Sizes are in the SVG's own units; the page scales it to its column.

const (
	chartWidth = 760.0
	rowHeight  = 24.0
	barHeight  = 16.0
	charWidth  = 6.8 // an average glyph at the charts' 12px font
	labelMax   = 34  // characters of a row label before it is cut
)

// barChart is horizontal bars, one row each, stacked from segments.
type barChart struct {
	Width, Height float64
	LabelWidth    float64
	Rows          []barRow
	Legend        []legendItem
	LegendY       float64
}

type barRow struct {
	Label     string // as shown, maybe cut
	FullLabel string // in the tooltip
	Y, TextY  float64
	Segments  []segment
	ValueX    float64
	Values    []barValue
}

type segment struct {
	Class string
	X, W  float64
	Title string
}

// barValue is one number after a bar, with the data-metric key that ties
// it to the tables.
type barValue struct {
	Value  int64
	Metric string
	Text   string // after the number: "staged", "skipped", ...
}

type legendItem struct {
	Class, Name string
	X           float64
}

// part is one segment before layout.
type part struct {
	Class, Name string
	Value       int64
	Metric      string
	Shown       bool // whether its number is written after the bar
}

// chartRow is one bar before layout: its label, its parts, and the
// numbers written after it (those of the parts marked Shown when nil).
type chartRow struct {
	Label  string
	Parts  []part
	Values []barValue
}

// newBarChart lays rows out; normalize scales every row to the full width
// (a share chart), otherwise all rows share one scale.
func newBarChart(rows []chartRow, legend []part, normalize bool) *barChart {
	c := &barChart{Width: chartWidth}
	longest := 0
	for _, r := range rows {
		longest = max(longest, min(utf8.RuneCountInString(r.Label), labelMax))
	}
	c.LabelWidth = float64(longest)*charWidth + 12
	valueRoom := 0.0
	var maxTotal int64
	for i := range rows {
		r := &rows[i]
		if r.Values == nil {
			for _, p := range r.Parts {
				if p.Shown && p.Value > 0 {
					r.Values = append(r.Values, barValue{Value: p.Value, Metric: p.Metric, Text: p.Name})
				}
			}
		}
		var total int64
		for _, p := range r.Parts {
			total += p.Value
		}
		maxTotal = max(maxTotal, total)
		text := 0
		for _, v := range r.Values {
			text += len(thousands(v.Value)) + len(v.Text) + 4
		}
		valueRoom = max(valueRoom, float64(text)*charWidth+8)
	}
	barRoom := c.Width - c.LabelWidth - valueRoom
	if barRoom < 120 {
		barRoom = 120
		c.Width = c.LabelWidth + barRoom + valueRoom
	}
	for i, r := range rows {
		row := barRow{Label: cut(r.Label), FullLabel: r.Label, Y: float64(i)*rowHeight + 4, Values: r.Values}
		row.TextY = row.Y + barHeight - 4
		var total int64
		for _, p := range r.Parts {
			total += p.Value
		}
		scale := 0.0
		switch {
		case normalize && total > 0:
			scale = barRoom / float64(total)
		case !normalize && maxTotal > 0:
			scale = barRoom / float64(maxTotal)
		}
		x := c.LabelWidth
		for _, p := range r.Parts {
			if p.Value > 0 {
				w := float64(p.Value) * scale
				row.Segments = append(row.Segments, segment{Class: p.Class, X: x, W: w, Title: fmt.Sprintf("%s %s: %s", r.Label, p.Name, thousands(p.Value))})
				x += w
			}
		}
		row.ValueX = x + 6
		if normalize {
			row.ValueX = c.LabelWidth + barRoom + 6
		}
		c.Rows = append(c.Rows, row)
	}
	c.Height = float64(len(rows))*rowHeight + 6
	if len(legend) > 0 {
		c.LegendY = float64(len(rows))*rowHeight + 16
		c.Height = c.LegendY + 10
	}
	x := c.LabelWidth
	for _, l := range legend {
		c.Legend = append(c.Legend, legendItem{Class: l.Class, Name: l.Name, X: x})
		x += float64(len(l.Name))*charWidth + 30
	}
	return c
}

func cut(s string) string {
	if utf8.RuneCountInString(s) <= labelMax {
		return s
	}
	r := []rune(s)
	return string(r[:labelMax-1]) + "…"
}

// SourcesChart is staged, missing and skipped users per source.
func (r *Report) SourcesChart() *barChart {
	if len(r.Sources) == 0 {
		return nil
	}
	var rows []chartRow
	for _, s := range r.Sources {
		rows = append(rows, chartRow{Label: s.Name(), Parts: []part{
			{Class: "c-staged", Name: "staged", Value: s.Staged, Metric: metric("users", s.Source, s.Tenant, "staged"), Shown: true},
			{Class: "c-missing", Name: "missing", Value: s.Missing, Metric: metric("users", s.Source, s.Tenant, "missing"), Shown: true},
			{Class: "c-skipped", Name: "skipped", Value: s.Skipped, Metric: metric("users", s.Source, s.Tenant, "skipped"), Shown: true},
		}})
	}
	legend := []part{{Class: "c-staged", Name: "staged"}, {Class: "c-missing", Name: "missing from last export"}, {Class: "c-skipped", Name: "skipped"}}
	return newBarChart(rows, legend, false)
}

// FindingsChart is the findings per rule, coloured by severity.
func (r *Report) FindingsChart() *barChart {
	if len(r.Findings) == 0 {
		return nil
	}
	var rows []chartRow
	seen := map[string]bool{}
	var legend []part
	for _, f := range r.Findings {
		rows = append(rows, chartRow{Label: f.Rule, Parts: []part{
			{Class: "sev-" + f.Severity, Name: f.Severity, Value: f.N, Metric: metric("findings", f.Rule, f.Severity)},
		}, Values: []barValue{{Value: f.N, Metric: metric("findings", f.Rule, f.Severity)}}})
		if !seen[f.Severity] {
			seen[f.Severity] = true
			legend = append(legend, part{Class: "sev-" + f.Severity, Name: f.Severity})
		}
	}
	return newBarChart(rows, legend, false)
}

// OutcomeChart is each entity's import rows as shares of its total.
func (r *Report) OutcomeChart() *barChart {
	if len(r.Outcome) == 0 {
		return nil
	}
	var rows []chartRow
	total := r.OutcomeTotal()
	var legend []part
	for _, l := range outcomeParts(total) {
		if l.Value > 0 {
			legend = append(legend, l)
		}
	}
	for _, o := range r.Outcome {
		rows = append(rows, chartRow{Label: o.Entity, Parts: outcomeParts(o),
			Values: []barValue{{Value: o.Total, Metric: metric("import", o.Entity, "total"), Text: plural(o.Total, "row")}}})
	}
	return newBarChart(rows, legend, true)
}

// outcomeParts are an outcome's segments, in the order they stack.
func outcomeParts(o Outcome) []part {
	return []part{
		{Class: "o-succeeded", Name: "succeeded", Value: o.Succeeded},
		{Class: "o-adopted", Name: "adopted", Value: o.Adopted},
		{Class: "o-updated", Name: "updated", Value: o.Updated},
		{Class: "o-failed", Name: "failed", Value: o.Failed},
		{Class: "o-skipped", Name: "skipped", Value: o.Skipped},
		{Class: "o-pending", Name: "pending", Value: o.Pending},
	}
}

// lineChart is cumulative counts over time.
type lineChart struct {
	Width, Height        float64
	Left, Right          float64
	Top, Bottom          float64
	Series               []series
	YMax                 int64
	YMaxMetric           string
	XStart, XEnd, XSpan  string
	XMid                 float64
	GridY                []float64
	LegendY, AxisLabelsY float64
}

type series struct {
	Class, Name string
	Points      string
	Final       int64
	Metric      string
	X           float64 // of its legend entry
}

// ProgressChart is the import's settled rows over time, per status.
func (r *Report) ProgressChart() *lineChart {
	p := r.Progress
	if p.Settled == 0 || len(p.Points) < 2 {
		return nil
	}
	c := &lineChart{Width: chartWidth, Height: 240, Left: 64, Right: chartWidth - 16, Top: 12, Bottom: 190}
	c.AxisLabelsY = c.Bottom + 18
	c.LegendY = c.Bottom + 40
	type def struct {
		class, name string
		final       int64
		get         func(ProgressPoint) int64
	}
	defs := []def{
		{"o-succeeded", "done", p.Done, func(pt ProgressPoint) int64 { return pt.Done }},
		{"o-failed", "failed", p.Failed, func(pt ProgressPoint) int64 { return pt.Failed }},
		{"o-skipped", "skipped", p.Skipped, func(pt ProgressPoint) int64 { return pt.Skipped }},
	}
	for _, d := range defs {
		if d.final > c.YMax {
			c.YMax, c.YMaxMetric = d.final, metric("settled", d.name)
		}
	}
	start, end := p.Points[0].At, p.Points[len(p.Points)-1].At
	span := end.Sub(start)
	xOf := func(t time.Time) float64 {
		if span <= 0 {
			return c.Right
		}
		return c.Left + (c.Right-c.Left)*float64(t.Sub(start))/float64(span)
	}
	yOf := func(v int64) float64 { return c.Bottom - (c.Bottom-c.Top)*float64(v)/float64(c.YMax) }
	x := c.Left
	for _, d := range defs {
		if d.final == 0 {
			continue
		}
		var b strings.Builder
		for i, pt := range p.Points {
			if i > 0 {
				b.WriteByte(' ')
			}
			fmt.Fprintf(&b, "%.1f,%.1f", xOf(pt.At), yOf(d.get(pt)))
		}
		c.Series = append(c.Series, series{Class: d.class, Name: d.name, Points: b.String(), Final: d.final, Metric: metric("settled", d.name), X: x})
		x += float64(len(d.name)+len(thousands(d.final))+1)*charWidth + 30
	}
	for _, f := range []float64{0.25, 0.5, 0.75} {
		c.GridY = append(c.GridY, c.Bottom-(c.Bottom-c.Top)*f)
	}
	layout := "15:04:05"
	if span > 24*time.Hour || start.YearDay() != end.YearDay() {
		layout = "Jan 2 15:04"
	}
	c.XStart, c.XEnd = start.UTC().Format(layout)+" UTC", end.UTC().Format(layout)+" UTC"
	c.XSpan = roundDuration(span).String()
	c.XMid = (c.Left + c.Right) / 2
	return c
}

// roundDuration keeps a duration readable: tenths of a second under a
// minute, seconds above.
func roundDuration(d time.Duration) time.Duration {
	if d < time.Minute {
		return d.Round(100 * time.Millisecond)
	}
	return d.Round(time.Second)
}

// plural is word for n things.
func plural(n int64, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
