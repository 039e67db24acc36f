// Command setbot-load measures setbot under load on a real Mattermost
// server (issue 17): n people run the standard intake by DM at once while n
// pairs of people echo messages beside them, and it prints the percentiles
// of setbot's replies and of the echo, their ratios, and setbot's RSS and
// CPU time per reply. See package e2e/load.
//
//	setbot-load [-n 10] [-rounds 1] [-mm http://127.0.0.1:8065] [-setbot path] [-profiles dir]
//
// -profiles builds a profiled setbot from this module (a build overlay adds
// net/http/pprof to it; the source is not touched) and saves its CPU
// profile of the run and its block, mutex and heap profiles after it.
// SETBOT_LOAD_GOGC and SETBOT_LOAD_GOMEMLIMIT set GOGC and GOMEMLIMIT for
// setbot (not for this tool).
//
// With -seed-incidents or -seed-conversations it measures start-up instead:
// it seeds a store with that many tracked incidents and intakes under way,
// starts setbot on it -runs times, and prints how long each start took to
// answer /healthz and /readyz, and setbot's memory then and -settle later.
//
//	setbot-load -seed-incidents 10000 -seed-conversations 1000 [-seed-resolved 0] [-runs 5] [-settle 10s] [-profiles dir]
//
// With -open it measures memory per open conversation: that many real
// people (at most 200) each open an intake and leave it under way, and it
// prints setbot's memory idle, then with them open, and the growth per
// conversation.
//
//	setbot-load -open 200 [-settle 10s]
//
// `make load` runs it with n = 10 and n = 50, then the start-up and memory
// measurements, against the devstack server.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

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
	var seed load.Seed
	fs.IntVar(&seed.Incidents, "seed-incidents", 0, "start-up: tracked incidents to seed the store with")
	fs.IntVar(&seed.Resolved, "seed-resolved", 0, "start-up: how many of the seeded incidents are resolved")
	fs.IntVar(&seed.Conversations, "seed-conversations", 0, "start-up: intakes under way to seed the store with")
	runs := fs.Int("runs", 5, "start-up: how many times to start setbot on the seeded store")
	open := fs.Int("open", 0, "memory: real people who each leave an intake under way")
	profiles := fs.String("profiles", "", "save profiles of a profiled setbot (built from this module) into this directory: heap after start-up; CPU, block, mutex and heap under load")
	settle := fs.Duration("settle", 10*time.Second, "start-up: how long after readiness to read the memory again")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *mm == "" {
		fmt.Fprintln(os.Stderr, "setbot-load: no server: pass -mm, or start one with `devstack/stack start` and `eval \"$(devstack/stack env)\"`")
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *open > 0 {
		oc := load.OpenConfig{URL: strings.TrimRight(*mm, "/"), Setbot: *bin, N: *open, Settle: *settle, Env: setbotEnv(), Out: os.Stdout}
		if err := load.Open(ctx, oc); err != nil {
			fmt.Fprintf(os.Stderr, "setbot-load: %v\n", err)
			return 1
		}
		return 0
	}
	if seed.Incidents > 0 || seed.Conversations > 0 {
		sc := load.StartupConfig{URL: strings.TrimRight(*mm, "/"), Setbot: *bin, Seed: seed, Runs: *runs, Settle: *settle,
			Env: setbotEnv(), Profiles: *profiles, Out: os.Stdout}
		if _, err := load.Startup(ctx, sc); err != nil {
			fmt.Fprintf(os.Stderr, "setbot-load: %v\n", err)
			return 1
		}
		return 0
	}
	cfg := load.Config{URL: strings.TrimRight(*mm, "/"), N: *n, Rounds: *rounds, Setbot: *bin,
		Env: setbotEnv(), Profiles: *profiles, Out: os.Stdout}
	if _, err := load.Run(ctx, cfg); err != nil {
		fmt.Fprintf(os.Stderr, "setbot-load: %v\n", err)
		return 1
	}
	return 0
}

// setbotEnv is the Go runtime's settings to pass on to setbot, from
// SETBOT_LOAD_GOGC and SETBOT_LOAD_GOMEMLIMIT (not GOGC itself, which
// would tune this tool too).
func setbotEnv() []string {
	var env []string
	for _, name := range []string{"GOGC", "GOMEMLIMIT"} {
		if v := os.Getenv("SETBOT_LOAD_" + name); v != "" {
			env = append(env, name+"="+v)
		}
	}
	return env
}
