// Command demo is the Go half of `make demo` (scripts/demo does the
// processes): `setup` bootstraps the local Mattermost (people, team,
// channels, the bot and its token) and writes setbot's config; `play` plays
// one support engineer through an intake in their DM with setbot, then
// prints the conversation and the ticket the local Jira stand-in received.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/setbot/setbot/e2e/mmtest"
)

func main() { os.Exit(run(os.Args[1:])) }

func run(args []string) int {
	if len(args) == 0 || (args[0] != "setup" && args[0] != "play") {
		fmt.Fprintln(os.Stderr, "usage: demo setup|play -dir DIR -jira URL [-listen ADDR]")
		return 2
	}
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	dir := fs.String("dir", "", "the demo's state directory (config and store go here)")
	jiraURL := fs.String("jira", "http://127.0.0.1:8089", "the local Jira stand-in")
	listen := fs.String("listen", "127.0.0.1:8066", "setbot's HTTP address (buttons call it)")
	if err := fs.Parse(args[1:]); err != nil || *dir == "" {
		fmt.Fprintln(os.Stderr, "demo: -dir is required")
		return 2
	}
	url, err := mmtest.URLFromEnv()
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		return 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	w, err := mmtest.Bootstrap(ctx, url)
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo: bootstrap Mattermost:", err)
		return 1
	}
	if args[0] == "setup" {
		err = setup(w, *dir, *jiraURL, *listen)
	} else {
		err = play(ctx, w, *jiraURL)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		return 1
	}
	return 0
}
