package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/charmbracelet/huh"
	"github.com/charmbracelet/x/term"
)

// asker puts the wizard's questions, one at a time, with huh: as a form in
// the terminal (the TUI), or in huh's accessible mode, which prints each
// question as a line and reads the answer as a line, so that the wizard can
// be scripted (answers piped on stdin) and read by a screen reader.
//
// huh's accessible mode alone does not do for scripted answers: each
// question reads stdin through a bufio.Scanner of its own, which takes up to
// 4 KiB at once and loses what the next questions were to read, and an
// end of input is taken as the default answer. lines hands huh one line per
// Read and says when stdin ended before an answer; the fields are run one by
// one here (not with Form.Run, which ignores their errors) so that both are
// seen.
type asker struct {
	accessible bool
	out        io.Writer // where questions go: stderr, as stdout is for the commands
	in         io.Reader // the TUI's input
	tty        *os.File  // stdin when it is a terminal: hidden input in accessible mode
	lines      *lineReader
}

// errStdinEnded is an end of input in the middle of a question.
type errStdinEnded struct{ question string }

func (e errStdinEnded) Error() string {
	return fmt.Sprintf("standard input ended at the question %q", e.question)
}

func (e errStdinEnded) Hint() string {
	return "give an answer per question (mig wizard --help); run mig wizard again to go on from where the staging database stands"
}

// newAsker chooses the accessible mode when asked, or when stdin or stderr
// is not a terminal.
func newAsker(stdin io.Reader, stderr io.Writer, accessible bool) *asker {
	a := &asker{accessible: accessible, out: stderr, in: stdin}
	f, ok := stdin.(*os.File)
	if ok && term.IsTerminal(f.Fd()) {
		a.tty = f
	}
	if o, ok := stderr.(*os.File); a.tty == nil || !ok || !term.IsTerminal(o.Fd()) {
		a.accessible = true
	}
	a.lines = &lineReader{src: bufio.NewReader(stdin)}
	return a
}

// ask puts one question. title names it in errors.
func (a *asker) ask(ctx context.Context, title string, f huh.Field) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if !a.accessible {
		err := huh.NewForm(huh.NewGroup(f)).WithInput(a.in).WithOutput(a.out).WithShowHelp(true).RunWithContext(ctx)
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.Is(err, huh.ErrUserAborted):
			return questionAborted{}
		case err != nil:
			return err
		}
		// The form is gone from the screen once answered: a line keeps
		// the answer in view above the commands it led to.
		v := f.GetValue()
		switch {
		case f.GetKey() == secretKey:
			v = "[not shown]"
		case v == true:
			v = "Yes"
		case v == false:
			v = "No"
		}
		fmt.Fprintf(a.out, "%s %v\n", title, v)
		return nil
	}
	var in io.Reader = a.lines
	if inp, ok := f.(*huh.Input); ok && a.tty != nil && inp.GetKey() == secretKey {
		// huh reads a hidden answer from the terminal itself.
		in = a.tty
	}
	a.lines.start(ctx)
	f.Init()
	f.Focus()
	err := func() (err error) {
		defer func() {
			// huh's accessible select indexes its options with what it
			// read, which is garbage when input ended after a wrong answer.
			if r := recover(); r != nil {
				if !a.lines.ended() && ctx.Err() == nil {
					panic(r)
				}
			}
		}()
		return f.WithTheme(huh.ThemeBase()).RunAccessible(a.out, in)
	}()
	fmt.Fprintln(a.out)
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case a.lines.ended():
		return errStdinEnded{title}
	}
	return err
}

// questionAborted is Ctrl-C at a form: a key in the TUI, not a signal,
// with the outcome of one (exit 130).
type questionAborted struct{}

func (questionAborted) Error() string { return "stopped at a question with Ctrl-C" }
func (questionAborted) Unwrap() error { return interrupted{os.Interrupt} }

// secretKey marks an input field whose answer is hidden.
const secretKey = "secret"

// describe prints a question's description in accessible mode, where huh
// shows only the title.
func (a *asker) describe(desc string) {
	if a.accessible && desc != "" {
		fmt.Fprintln(a.out, desc)
	}
}

func (a *asker) selectOne(ctx context.Context, title, desc string, value *string, options ...huh.Option[string]) error {
	a.describe(desc)
	return a.ask(ctx, title, huh.NewSelect[string]().Title(title).Description(desc).Options(options...).Value(value))
}

func (a *asker) input(ctx context.Context, title, desc string, value *string, validate func(string) error) error {
	a.describe(desc)
	f := huh.NewInput().Title(title).Description(desc).Value(value)
	if validate != nil {
		f.Validate(validate)
	}
	return a.ask(ctx, title, f)
}

// secret asks for a value that is never shown: typed hidden in a terminal,
// read as a line from a pipe (nothing echoes it there).
func (a *asker) secret(ctx context.Context, title string, value *string) error {
	f := huh.NewInput().Key(secretKey).Title(title).Value(value).Validate(func(s string) error {
		if strings.TrimSpace(s) == "" {
			return errors.New("an answer is needed")
		}
		return nil
	})
	if !a.accessible || a.tty != nil {
		f.EchoMode(huh.EchoModePassword)
	}
	return a.ask(ctx, title, f)
}

func (a *asker) confirm(ctx context.Context, title, desc string, value *bool) error {
	a.describe(desc)
	return a.ask(ctx, title, huh.NewConfirm().Title(title).Description(desc).Affirmative("Yes").Negative("No").Value(value))
}

// lineReader gives huh one line of stdin per Read, reads stdin only when
// huh asks (so a hidden answer read from the terminal finds it untouched),
// stops waiting when the context is cancelled (Ctrl-C while a question
// waits), and remembers whether a question met the end of input before any
// answer.
type lineReader struct {
	src     *bufio.Reader
	ctx     context.Context
	pending []byte
	eof     bool // the end of input was met since start
	reqs    chan struct{}
	resps   chan lineRead
}

type lineRead struct {
	line []byte
	err  error
}

// start begins a question.
func (l *lineReader) start(ctx context.Context) {
	l.ctx, l.eof = ctx, false
}

// ended reports whether the question met the end of input.
func (l *lineReader) ended() bool { return l.eof }

func (l *lineReader) Read(p []byte) (int, error) {
	if len(l.pending) == 0 {
		if l.reqs == nil {
			l.reqs, l.resps = make(chan struct{}), make(chan lineRead)
			go func() {
				for range l.reqs {
					line, err := l.src.ReadBytes('\n')
					l.resps <- lineRead{line, err}
				}
			}()
		}
		select {
		case l.reqs <- struct{}{}:
		case <-l.ctx.Done():
			return 0, io.EOF
		}
		var r lineRead
		select {
		case r = <-l.resps:
		case <-l.ctx.Done():
			return 0, io.EOF
		}
		if len(r.line) == 0 && r.err != nil {
			l.eof = true
			return 0, io.EOF
		}
		l.pending = r.line
		if r.line[len(r.line)-1] != '\n' {
			l.pending = append(r.line, '\n')
		}
	}
	n := copy(p, l.pending)
	l.pending = l.pending[n:]
	return n, nil
}
