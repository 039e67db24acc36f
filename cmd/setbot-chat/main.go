// Command setbot-chat is a small terminal client for trying setbot on the
// demo stack (make demo), whose Mattermost has no web app: it logs in as a
// demo user, shows the DM with @setbot as it happens and sends what you type.
// Buttons are numbered; /help lists the commands. With -script FILE it runs
// the file's lines instead, for tests. See package e2e/chat.
//
//	make chat            # as support1
//	make chat AS=alice
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/setbot/setbot/e2e/chat"
)

func main() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) }

func run(args []string, stdin, stdout *os.File, stderr io.Writer) int {
	fs := flag.NewFlagSet("setbot-chat", flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := os.Getenv("SETBOT_MM_URL")
	if url == "" {
		url = chat.DefaultURL
	}
	var o chat.Options
	fs.StringVar(&o.URL, "url", url, "the Mattermost server (default: $SETBOT_MM_URL from devstack/stack env)")
	fs.StringVar(&o.User, "as", chat.DefaultUser, "the demo user to log in as (support1, support2, alice, bob, carol, dave)")
	fs.StringVar(&o.Samples, "samples", chat.DefaultSamples(), "where the sample files to upload are made")
	fs.DurationVar(&o.Wait, "wait", chat.DefaultWait, "how long to wait for the server, and for setbot in /expect")
	fs.IntVar(&o.History, "history", chat.DefaultHistory, "earlier posts to show when a channel opens")
	script := fs.String("script", "", "run the lines of this file instead of reading the terminal (- for standard input)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if err := chat.WriteSamples(o.Samples); err != nil {
		fmt.Fprintf(stderr, "setbot-chat: could not make the sample files (%v); /upload still takes any file's path.\n", err)
		o.Samples = ""
	}
	var err error
	switch *script {
	case "":
		// No signal handling here: the terminal is in raw mode, where Ctrl-C
		// ends the session as a key, and a kill should end it at once.
		err = chat.Interactive(context.Background(), o, stdin, stdout)
	case "-":
		err = runScript(o, stdin, stdout)
	default:
		f, ferr := os.Open(*script)
		if ferr != nil {
			fmt.Fprintf(stderr, "setbot-chat: cannot read the script %s.\n", *script)
			return 2
		}
		defer f.Close()
		err = runScript(o, f, stdout)
	}
	if err != nil {
		fmt.Fprintln(stderr, "setbot-chat: "+chat.Say(err))
		return 1
	}
	return 0
}

// runScript runs a script until it ends or Ctrl-C.
func runScript(o chat.Options, r io.Reader, out io.Writer) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return chat.Script(ctx, o, r, out)
}
