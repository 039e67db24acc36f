// Command fakejira serves jiratest's fake Jira on a loopback address, as a
// local stand-in for Jira Cloud in demos. It is not Jira: nothing is
// persisted, and GET /_fake/issues dumps what was filed.
//
//	fakejira -addr 127.0.0.1:8089 -email bot@example.com -token demo-token
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/setbot/setbot/jira/jiratest"
)

func main() { os.Exit(run(os.Args[1:])) }

func run(args []string) int {
	fs := flag.NewFlagSet("fakejira", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8089", "loopback address to listen on")
	email := fs.String("email", "bot@example.com", "the Basic-auth email the fake accepts")
	token := fs.String("token", "fake-token", "the API token (or Data Center PAT) the fake accepts")
	project := fs.String("project", "SET", "project key")
	dc := fs.Bool("datacenter", false, "behave like Jira Data Center (Bearer PAT, /search with startAt)")
	spec := fs.String("openapi", "", "OpenAPI document to check traffic against (default: ../shared/jira beside the module)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	host, _, err := net.SplitHostPort(*addr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		fmt.Fprintf(os.Stderr, "fakejira: -addr must be a loopback address such as 127.0.0.1:8089, got %q\n", *addr)
		return 2
	}
	fake, note := jiratest.NewServer(jiratest.Options{Project: *project, Email: *email, Token: *token, DataCenter: *dc, SpecPath: *spec,
		Users: []jiratest.User{{AccountID: "demo-account", Name: "demo", Email: "demo@example.com", Display: "Demo User"}}})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "fakejira: %v\n", err)
		return 1
	}
	url := "http://" + ln.Addr().String()
	fake.SetURL(url)
	fmt.Printf("fakejira: THIS IS A STAND-IN, NOT JIRA. Serving a fake Jira for project %s at %s\n", *project, url)
	fmt.Printf("fakejira: it accepts email %q with the token given by -token; filed issues: GET %s/_fake/issues\n", *email, url)
	if note != "" {
		fmt.Printf("fakejira: %s\n", note)
	} else {
		fmt.Println("fakejira: checking every exchange against the Jira Cloud OpenAPI document; violations are printed")
	}
	srv := &http.Server{Handler: logViolations(fake), ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintf(os.Stderr, "fakejira: %v\n", err)
			return 1
		}
	}
	fake.Close()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	srv.Shutdown(sctx)
	<-errc
	return 0
}

// logViolations prints contract violations as they happen.
func logViolations(f *jiratest.Server) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		before := len(f.Violations())
		f.ServeHTTP(w, r)
		for _, v := range f.Violations()[before:] {
			fmt.Fprintf(os.Stderr, "fakejira: contract violation: %s\n", v)
		}
	})
}
