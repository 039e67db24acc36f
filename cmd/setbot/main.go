// Command setbot runs the Sustained Engineering Team's Mattermost bot.
//
//	setbot -config FILE               run until SIGINT or SIGTERM
//	setbot check-config -config FILE  validate a configuration, print the next 8 weeks, exit
//	setbot version                    print the version
//	setbot healthcheck [-url URL]     probe /healthz (for container health checks)
//	setbot migrate-store -from bbolt:PATH -to postgres:DSN   copy a store into an empty one
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/setbot/setbot"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// run parses the command line and runs the chosen command; it returns the
// process exit code.
func run(args []string, stdout, stderr io.Writer) int {
	cmd := "run"
	if len(args) > 0 && (args[0] == "check-config" || args[0] == "version" || args[0] == "run" || args[0] == "healthcheck" ||
		args[0] == "migrate-store") {
		cmd, args = args[0], args[1:]
	}
	if cmd == "version" {
		fmt.Fprintf(stdout, "setbot %s\n", version)
		return 0
	}
	if cmd == "healthcheck" {
		return healthcheck(args, stderr)
	}
	if cmd == "migrate-store" {
		return migrateStore(args, os.Getenv, stdout, stderr)
	}
	m := NewMain(stderr)
	if err := m.ParseFlags(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if cmd == "check-config" {
		cfg, err := LoadConfig(m.ConfigPath, os.Getenv)
		if err != nil {
			fmt.Fprintln(stderr, "setbot:", err)
			return 1
		}
		fmt.Fprintf(stdout, "%s: OK (team %s, store %s, %d rotation weeks, Jira %s)\n",
			m.ConfigPath, cfg.Mattermost.Team, cfg.Store.Describe(), len(cfg.Rotation.Weeks), jiraSummary(cfg))
		printWeeks(stdout, cfg, m.Now())
		return 0
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := m.Run(ctx); err != nil {
		fmt.Fprintln(stderr, "setbot:", err)
		return 1
	}
	return 0
}

func jiraSummary(c *Config) string {
	if c.Jira == nil {
		return "not configured"
	}
	return c.Jira.Deployment + " project " + c.Jira.Project
}

const usage = `setbot runs the Sustained Engineering Team's Mattermost bot.

Usage:
  setbot [run] -config FILE          run until SIGINT or SIGTERM
  setbot check-config -config FILE   validate FILE and exit (non-zero when it is wrong)
  setbot version                     print the version
  setbot healthcheck [-url URL]      exit 0 when URL (default http://127.0.0.1:8066/healthz) answers 200
  setbot migrate-store -from bbolt:PATH -to postgres:DSN
                                     copy every record into an empty store (or the reverse; "postgres:"
                                     alone reads SETBOT_STORE_DSN); stop setbot first

Environment:
  SETBOT_MATTERMOST_TOKEN   overrides mattermost.token
  SETBOT_JIRA_TOKEN         overrides jira.token
  SETBOT_CALENDAR_TOKEN     overrides calendar.token
  SETBOT_STORE_DSN          overrides store.dsn (PostgreSQL; never logged)

Flags:
`

// ParseFlags reads the flags of the run and check-config commands.
func (m *Main) ParseFlags(args []string) error {
	fs := flag.NewFlagSet("setbot", flag.ContinueOnError)
	fs.SetOutput(m.stderr)
	fs.Usage = func() {
		fmt.Fprint(m.stderr, usage)
		fs.PrintDefaults()
	}
	fs.StringVar(&m.ConfigPath, "config", "setbot.toml", "path of the TOML configuration file (see config.example.toml)")
	fs.StringVar(&m.LogFormat, "log-format", "", "log format: json, text or auto (text on a terminal); overrides log.format")
	fs.StringVar(&m.LogLevel, "log-level", "", "log level: debug, info, warn or error; overrides log.level")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(m.stderr, "setbot: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return errors.New("unexpected argument")
	}
	return nil
}

// healthcheck probes setbot's /healthz, for container health checks in an
// image that has no curl.
func healthcheck(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("healthcheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := fs.String("url", "http://127.0.0.1:8066/healthz", "the health URL to probe")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	c := &http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(*url)
	if err != nil {
		fmt.Fprintln(stderr, "setbot: unhealthy:", err)
		return 1
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintln(stderr, "setbot: unhealthy: HTTP", resp.StatusCode)
		return 1
	}
	return 0
}

// printWeeks lists the next 8 weeks of the configured rotation (without
// the stored overrides, which live in the store).
func printWeeks(w io.Writer, c *Config, now time.Time) {
	r, err := c.Roster() // checked by Validate
	if err != nil {
		return
	}
	fmt.Fprintln(w, "The next 8 weeks, as configured (overrides not included):")
	for _, s := range r.Upcoming(now, 8) {
		fmt.Fprintf(w, "  %s  lead %-16s primary %-16s backup %s\n", s.Week(), atName(s.Lead), atName(s.Primary), atName(s.Backup))
	}
}

func atName(u setbot.Username) string {
	if u == "" {
		return "(nobody)"
	}
	return "@" + string(u)
}
