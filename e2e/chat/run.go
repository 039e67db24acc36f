package chat

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/term"
)

// Script runs the lines of r as if typed, with plain output to out, and
// stops at the first line that fails. Blank lines and lines starting with
// "#" are skipped. A line is text to post, a button's number, or a command:
// /expect TEXT waits (at most Options.Wait) until setbot posts TEXT, so a
// script never has to sleep.
func Script(ctx context.Context, opts Options, r io.Reader, out io.Writer) error {
	c, err := Open(ctx, opts, out, style{}, 0)
	if err != nil {
		return err
	}
	defer c.Close()
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if err := c.Do(ctx, line); err != nil {
			if errors.Is(err, errQuit) {
				return nil
			}
			return &Problem{Text: fmt.Sprintf("Line %d of the script (%s): %s", n, line, Say(err))}
		}
	}
	if err := sc.Err(); err != nil {
		return sorry("Could not read the script: %v", err)
	}
	return nil
}

// Interactive is a session on the terminal in and out: line editing and
// history (golang.org/x/term), colours unless NO_COLOR is set. Posts that
// arrive while the person types are shown above the line being typed. When
// in or out is not a terminal, the lines of in are read as they come, and a
// line that fails is reported without ending the session.
func Interactive(ctx context.Context, opts Options, in, out *os.File) error {
	fd := int(in.Fd())
	if !term.IsTerminal(fd) || !term.IsTerminal(int(out.Fd())) {
		return piped(ctx, opts, in, out)
	}
	old, err := term.MakeRaw(fd)
	if err != nil {
		return piped(ctx, opts, in, out)
	}
	defer term.Restore(fd, old)
	t := term.NewTerminal(struct {
		io.Reader
		io.Writer
	}{in, out}, "")
	width := 0
	if w, h, err := term.GetSize(int(out.Fd())); err == nil {
		t.SetSize(w, h)
		width = w - 1
	}
	st := ansi
	if os.Getenv("NO_COLOR") != "" {
		st = style{}
	}
	c, err := Open(ctx, opts, t, st, width)
	if err != nil {
		return err
	}
	defer c.Close()
	c.out.println(c.banner()...)
	for {
		prompt := c.Prompt()
		t.SetPrompt(prompt)
		typed, err := t.ReadLine()
		if err != nil { // io.EOF: Ctrl-D or Ctrl-C
			return nil
		}
		line := strings.TrimSpace(typed)
		if _, err := strconv.Atoi(line); err != nil && line != "" && !strings.HasPrefix(line, "/") && width > 0 {
			// The server's echo of the post replaces the typed line, which
			// took this many rows of the terminal.
			rows := (len([]rune(prompt+typed))-1)/(width+1) + 1
			t.Write([]byte(strings.Repeat("\x1b[1A\x1b[2K", rows)))
		}
		if err := c.Do(ctx, line); err != nil {
			if errors.Is(err, errQuit) {
				return nil
			}
			c.out.println(c.out.on(c.out.warn, Say(err)))
		}
	}
}

// piped reads lines from a pipe or file, reporting each failure and going on.
func piped(ctx context.Context, opts Options, in io.Reader, out io.Writer) error {
	c, err := Open(ctx, opts, out, style{}, 0)
	if err != nil {
		return err
	}
	defer c.Close()
	c.out.println(c.banner()...)
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		if err := c.Do(ctx, sc.Text()); err != nil {
			if errors.Is(err, errQuit) {
				return nil
			}
			c.out.println(Say(err))
		}
	}
	return nil
}

func (c *Client) banner() []string {
	lines := []string{"",
		fmt.Sprintf("Logged in to %s as %s. Type to talk to @%s; a number presses a button; /help lists the commands; /quit leaves.",
			c.opts.URL, c.me.Username, c.bot.Username)}
	if c.opts.Samples != "" {
		lines = append(lines, sampleLines(c.opts.Samples)...)
	}
	return lines
}
