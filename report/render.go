package report

import (
	"embed"
	htmltemplate "html/template"
	"io"
	"strconv"
	"strings"
	texttemplate "text/template"
	"time"
)

//go:embed templates/report.html.tmpl templates/report.md.tmpl
var templates embed.FS

var funcs = map[string]any{
	"n":      thousands,
	"metric": metric,
	"f1":     func(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) },
	"rate":   func(f float64) string { return strconv.FormatFloat(f, 'f', 0, 64) },
	"join":   strings.Join,
	"ts":     timestamp,
	"dur":    func(d time.Duration) string { return d.String() },
	"md":     mdEscape,
	"sub":    func(a, b float64) float64 { return a - b },
	"add1":   func(a, b float64) float64 { return a + b },
	"add64": func(ns ...int64) int64 {
		var t int64
		for _, n := range ns {
			t += n
		}
		return t
	},
	"cell":          func(metric string, v int64) numCell { return numCell{metric, v} },
	"failureMetric": failureMetric,
}

// numCell is a table cell holding one number and what it counts.
type numCell struct {
	Metric string
	Value  int64
}

// failureMetric is the key of a failure group's count: every field that
// `mig errors` groups by.
func failureMetric(g FailureGroup) string {
	return metric("failures", g.Entity, g.Status, g.Code, strconv.Itoa(g.HTTPStatus), strings.Join(g.Subcodes, ","), strconv.FormatBool(g.Retryable))
}

var (
	htmlTmpl = htmltemplate.Must(htmltemplate.New("report.html.tmpl").Funcs(funcs).ParseFS(templates, "templates/report.html.tmpl"))
	mdTmpl   = texttemplate.Must(texttemplate.New("report.md.tmpl").Funcs(funcs).ParseFS(templates, "templates/report.md.tmpl"))
)

// HTML writes the report as one self-contained page: inline CSS and SVG, no
// script and nothing fetched (its Content-Security-Policy forbids it).
// Every number on it sits in an element with data-metric (what it counts)
// and data-value (the number), so tests and scripts can read it back.
func (r *Report) HTML(w io.Writer) error { return htmlTmpl.Execute(w, r) }

// Markdown writes the same numbers as Markdown tables, for a ticket.
func (r *Report) Markdown(w io.Writer) error { return mdTmpl.Execute(w, r) }

// metric is the key of a number on the page: its parts joined by "|".
// Sources, rules and reasons are data, so the key is escaped by the
// template like any other attribute.
func metric(parts ...string) string { return strings.Join(parts, "|") }

// thousands writes n with a comma every three digits.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// timestamp shows a stored UTC timestamp to the second.
func timestamp(s string) string {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return s
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

// mdEscape keeps a value inside its Markdown table cell and inert: the
// characters Markdown or the HTML it allows would act on are escaped, and
// line breaks become spaces. Underscores are left alone: inside a word (a
// rule name, an error code) Markdown leaves them be, and a backslash in
// every rule name would clutter a ticket that shows the text as it is.
func mdEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\\', '|', '`', '*', '[', ']', '<', '>', '&', '~':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n', '\r', '\t':
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
