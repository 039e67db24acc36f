// Command setbot-load measures setbot under load on a real Mattermost
// server (issue 17): n people run the standard intake by DM at once while n
// pairs of people echo messages beside them, and it prints the percentiles
// of setbot's replies and of the echo, their ratios, and setbot's RSS and
// CPU time per reply. See package e2e/load.
//
//	setbot-load [-n 10] [-rounds 1] [-mm http://127.0.0.1:8065] [-setbot path]
//
// `make load` runs it with n = 10 and n = 50 against the devstack server.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/setbot/setbot/e2e/load"
	"github.com/setbot/setbot/e2e/mmtest"
)

func main() { os.Exit(run(os.Args[1:])) }

func run(args []string) int {
	fs := flag.NewFlagSet("setbot-load", flag.ContinueOnError)
	n := fs.Int("n", 10, "concurrent intakes, and echo pairs beside them")
	rounds := fs.Int("rounds", 1, "intakes per person, one after the other")
	mm := fs.String("mm", os.Getenv(mmtest.EnvURL), "the Mattermost server (default $"+mmtest.EnvURL+")")
	bin := fs.String("setbot", "", "a setbot binary to measure (default: build ./cmd/setbot)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *mm == "" {
		fmt.Fprintln(os.Stderr, "setbot-load: no server: pass -mm, or start one with `devstack/stack start` and `eval \"$(devstack/stack env)\"`")
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg := load.Config{URL: strings.TrimRight(*mm, "/"), N: *n, Rounds: *rounds, Setbot: *bin, Out: os.Stdout}
	if _, err := load.Run(ctx, cfg); err != nil {
		fmt.Fprintf(os.Stderr, "setbot-load: %v\n", err)
		return 1
	}
	return 0
}
