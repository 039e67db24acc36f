package main

import (
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// TestExampleConfigDocumentsEveryKey: every key Config decodes (the [jira]
// table included) has a line in config.example.toml, commented out or not,
// so a key added to the code cannot go undocumented.
func TestExampleConfigDocumentsEveryKey(t *testing.T) {
	b, err := os.ReadFile("../../config.example.toml")
	if err != nil {
		t.Fatal(err)
	}
	documented := exampleKeys(string(b))
	var missing []string
	for _, key := range configKeys(reflect.TypeFor[Config](), "") {
		table, name := "", key
		if i := strings.LastIndex(key, "."); i >= 0 {
			table, name = key[:i], key[i+1:]
		}
		if !documented[table+"."+name] && !documentedInAny(documented, table, name) {
			missing = append(missing, key)
		}
	}
	if len(missing) > 0 {
		t.Errorf("config.example.toml does not document %s", strings.Join(missing, ", "))
	}
	if !documented["incidents.grace"] || documented["incidents.nosuchkey"] {
		t.Errorf("the example's keys were not read: %v", documented)
	}
}

var (
	exampleTable = regexp.MustCompile(`^\[\[?([A-Za-z0-9_.]+)\]\]?`)
	exampleKey   = regexp.MustCompile(`^([A-Za-z0-9_]+)\s*=`)
)

// exampleKeys reads "table.key" for every key line of the example, with
// the leading "#" of commented-out lines removed.
func exampleKeys(text string) map[string]bool {
	keys := map[string]bool{}
	table := ""
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "#"))
		if m := exampleTable.FindStringSubmatch(line); m != nil {
			table = m[1]
			keys[table] = true
		} else if m := exampleKey.FindStringSubmatch(line); m != nil {
			keys[table+"."+m[1]] = true
		}
	}
	return keys
}

// documentedInAny matches a key of a map of tables ("jira.handover_teams.*")
// against any example table under it.
func documentedInAny(documented map[string]bool, table, name string) bool {
	prefix, ok := strings.CutSuffix(table, ".*")
	if !ok {
		return false
	}
	for k := range documented {
		if strings.HasPrefix(k, prefix+".") && strings.HasSuffix(k, "."+name) {
			return true
		}
	}
	return false
}

// configKeys lists the dotted TOML keys of t: tables are walked, a map of
// tables is "table.*", a map of values is one key (its table).
func configKeys(t reflect.Type, prefix string) []string {
	var keys []string
	for i := range t.NumField() {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
		if tag == "" || tag == "-" {
			continue
		}
		key := tag
		if prefix != "" {
			key = prefix + "." + tag
		}
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		switch {
		case ft.Kind() == reflect.Struct:
			keys = append(keys, configKeys(ft, key)...)
		case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct:
			keys = append(keys, configKeys(ft.Elem(), key)...)
		case ft.Kind() == reflect.Map && ft.Elem().Kind() == reflect.Struct:
			keys = append(keys, configKeys(ft.Elem(), key+".*")...)
		default:
			keys = append(keys, key)
		}
	}
	return keys
}
