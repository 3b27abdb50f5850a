// Package prompt reads a password from the terminal without echo, or from
// a pipe, for verify-password. It is not a hash format (those are in
// passhash): it is how a command asks a person for a secret.
package prompt

import (
	"bufio"
	"errors"
	"io"
	"os"
	"strings"
)

// ReadPassword reads one password: from the terminal without echo when in
// is one, otherwise the first line of in (a pipe or a file), so a password
// never has to appear on a command line, where ps and shell history see it.
// prompt is written to promptTo only for a terminal.
func ReadPassword(in io.Reader, promptTo io.Writer, prompt string) (string, error) {
	if f, ok := in.(*os.File); ok && isTerminal(f.Fd()) {
		io.WriteString(promptTo, prompt)
		pw, err := readNoEcho(f)
		io.WriteString(promptTo, "\n")
		if err != nil {
			return "", err
		}
		return pw, nil
	}
	line, err := bufio.NewReader(in).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
	if line == "" && errors.Is(err, io.EOF) {
		return "", errors.New("no password on stdin")
	}
	return line, nil
}

// readLine reads up to a newline one byte at a time, so nothing after the
// line is consumed from the terminal.
func readLine(f io.Reader) (string, error) {
	var b []byte
	one := make([]byte, 1)
	for {
		n, err := f.Read(one)
		if n == 1 {
			if one[0] == '\n' {
				break
			}
			b = append(b, one[0])
		}
		if err != nil {
			if errors.Is(err, io.EOF) && len(b) > 0 {
				break
			}
			return "", err
		}
	}
	return strings.TrimSuffix(string(b), "\r"), nil
}
