package main

import (
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/setbot/setbot/store"
)

// migrate-store copies every record of one store into another, empty one
// (issue 18): from the bbolt file to PostgreSQL when a site moves to two
// replicas, and back.
//
//	setbot migrate-store -from bbolt:PATH -to postgres:DSN
//	setbot migrate-store -from postgres: -to bbolt:PATH   (postgres: alone reads SETBOT_STORE_DSN)
//
// Stop setbot first: a bbolt file is locked by its setbot, and a running
// replica would write to PostgreSQL while it is copied.
func migrateStore(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("migrate-store", flag.ContinueOnError)
	fs.SetOutput(stderr)
	from := fs.String("from", "", "the store to copy: bbolt:PATH or postgres:DSN (postgres: alone reads "+envStoreDSN+")")
	to := fs.String("to", "", "the empty store to copy into, in the same form")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *from == "" || *to == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "setbot migrate-store: give -from and -to, e.g. -from bbolt:/var/lib/setbot/setbot.db -to postgres:")
		return 2
	}
	src, err := openSpec(*from, getenv)
	if err != nil {
		fmt.Fprintln(stderr, "setbot migrate-store: -from:", err)
		return 1
	}
	defer src.Close()
	dst, err := openSpec(*to, getenv)
	if err != nil {
		fmt.Fprintln(stderr, "setbot migrate-store: -to:", err)
		return 1
	}
	defer dst.Close()
	counts, err := store.Copy(dst, src)
	if err != nil {
		fmt.Fprintln(stderr, "setbot migrate-store:", err)
		return 1
	}
	kinds := make([]string, 0, len(counts))
	for k := range counts {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	fmt.Fprintf(stdout, "copied %s store into %s store; records per kind, the same in both:\n", src.Driver(), dst.Driver())
	for _, k := range kinds {
		fmt.Fprintf(stdout, "  %-14s %d\n", k, counts[k])
	}
	return 0
}

// openSpec opens "bbolt:PATH" or "postgres:DSN". Its errors never carry
// the DSN.
func openSpec(spec string, getenv func(string) string) (*store.DB, error) {
	driver, arg, ok := strings.Cut(spec, ":")
	switch {
	case ok && driver == driverBolt && arg != "":
		return store.Open(arg)
	case ok && driver == driverPostgres:
		if arg == "" {
			arg = getenv(envStoreDSN)
		}
		if arg == "" {
			return nil, fmt.Errorf("postgres: needs a DSN, or %s set", envStoreDSN)
		}
		return store.OpenPostgres(arg)
	}
	return nil, fmt.Errorf("want bbolt:PATH or postgres:DSN, got %q", redactSpec(spec))
}

// redactSpec shows a wrong store argument without what may be a password.
func redactSpec(spec string) string {
	if i := strings.LastIndex(spec, "@"); i >= 0 {
		return "…" + spec[i:]
	}
	return spec
}
