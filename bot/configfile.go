package bot

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/artifacts"
)

// configSections are the settings every config.json Mattermost writes has;
// a JSON object without them is not a Mattermost configuration.
var configSections = []string{"ServiceSettings", "SqlSettings"}

// secretWords mark a setting name as secret for the conservative pass over
// settings model.Config does not know (plugin settings, newer keys).
var secretWords = []string{"password", "secret", "key", "token", "salt", "credential"}

// RedactConfig checks that data is a Mattermost configuration (config.json,
// or a support packet's sanitized_config.json) and returns it with every
// secret replaced or dropped, and the dotted names of the settings it
// replaced or dropped (those end in artifacts.DroppedMark), sorted. It is an
// artifacts.ConfigRedactor; artifacts.Check hands it strict JSON (a
// byte-order mark and trailing commas already removed).
//
// Secrets are what (*model.Config).Sanitize replaces (Mattermost's own list;
// connection strings keep their host and database), plus, anywhere in the
// file, string settings whose name contains password, secret, key, token,
// salt or credential (but not …Endpoint), credentials inside connection
// strings, and the secrets of URLs (credentials, token-looking path
// segments and query values, webhook paths; see artifacts.MaskURLs). Every
// plugin's settings are dropped (the plugin's id is kept), as Mattermost's
// own support packet does, and so is every setting model.Config does not
// know. The result is indented JSON with sorted keys. A file that is not a
// configuration, or that names a setting twice (in two spellings), gets an
// EInvalid *setbot.Error whose message never quotes the file.
func RedactConfig(data []byte) (redacted []byte, fields []string, err error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a byte-order mark
	doc, err := decodeConfigDoc(data)
	if err != nil {
		return nil, nil, err
	}
	var plain, sanitized model.Config
	if err := json.Unmarshal(data, &plain); err != nil {
		return nil, nil, configTypeError(err)
	}
	_ = json.Unmarshal(data, &sanitized)
	sanitized.Sanitize(nil, &model.SanitizeOptions{PartiallyRedactDataSources: true})
	before, err1 := toGeneric(&plain)
	after, err2 := toGeneric(&sanitized)
	if err := errors.Join(err1, err2); err != nil {
		return nil, nil, fmt.Errorf("redact config: %w", err)
	}
	r := &redactor{seen: map[string]bool{}}
	r.applySanitized(doc, before, after, "")
	r.dropPlugins(doc)
	r.dropUnknown(doc, before, "")
	r.conservative(doc, "", "")
	out, err := json.MarshalIndent(doc, "", "    ")
	if err != nil {
		return nil, nil, fmt.Errorf("redact config: %w", err)
	}
	slices.Sort(r.fields)
	return append(out, '\n'), r.fields, nil
}

func decodeConfigDoc(data []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil || doc == nil || dec.More() {
		return nil, setbot.Errorf(setbot.EInvalid, "this is not a JSON object, so not a Mattermost configuration.")
	}
	for _, s := range configSections {
		if _, ok := doc[s].(map[string]any); !ok {
			return nil, setbot.Errorf(setbot.EInvalid, "this JSON is not a Mattermost configuration: it has no %s section.", s)
		}
	}
	if twice := spelledTwice(doc, ""); twice != "" {
		// Mattermost reads keys case-insensitively: which value it takes is
		// not what this redactor sees, so nothing is kept.
		return nil, setbot.Errorf(setbot.EInvalid, "this Mattermost configuration names a setting twice, in spellings that differ in case only, so I cannot tell which value Mattermost uses.")
	}
	return doc, nil
}

func configTypeError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return setbot.Errorf(setbot.EInvalid, "this looks like a Mattermost configuration, but the setting %s has the wrong type (%s where Mattermost expects %s).", te.Field, te.Value, te.Type)
	}
	return setbot.Errorf(setbot.EInvalid, "this looks like a Mattermost configuration, but Mattermost could not read it.")
}

// toGeneric round-trips v through JSON into maps, slices and json.Numbers.
func toGeneric(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out any
	return out, dec.Decode(&out)
}

type redactor struct {
	fields []string
	seen   map[string]bool
}

func (r *redactor) note(path string) {
	if !r.seen[path] {
		r.seen[path] = true
		r.fields = append(r.fields, path)
	}
}

// applySanitized copies into doc every non-empty string that Sanitize
// changed between before and after. Settings Sanitize deleted (plugin
// settings, for want of manifests) are left to the conservative pass.
func (r *redactor) applySanitized(doc, before, after any, path string) {
	switch b := before.(type) {
	case map[string]any:
		d, _ := doc.(map[string]any)
		a, _ := after.(map[string]any)
		if d == nil || a == nil {
			return
		}
		for k, bv := range b {
			if dv, ok := d[k]; ok {
				if s, isStr := bv.(string); isStr {
					if av, ok := a[k].(string); ok && av != s && s != "" && s != model.FakeSetting {
						d[k] = av
						r.note(join(path, k))
					}
					continue
				}
				r.applySanitized(dv, bv, a[k], join(path, k))
			}
		}
	case []any:
		d, _ := doc.([]any)
		a, _ := after.([]any)
		for i := range min(len(b), len(d), len(a)) {
			p := path + "[" + strconv.Itoa(i) + "]"
			if s, isStr := b[i].(string); isStr {
				if av, ok := a[i].(string); ok && av != s && s != "" {
					d[i] = av
					r.note(p)
				}
				continue
			}
			r.applySanitized(d[i], b[i], a[i], p)
		}
	}
}

// conservative redacts, anywhere in v, string settings with a secret-sounding
// name and credentials inside connection strings.
func (r *redactor) conservative(v any, path, key string) any {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			t[k] = r.conservative(x, join(path, k), k)
		}
	case []any:
		for i, x := range t {
			t[i] = r.conservative(x, path+"["+strconv.Itoa(i)+"]", key)
		}
	case string:
		if t == "" || t == model.FakeSetting || r.seen[path] {
			return t
		}
		if secretName(key) {
			r.note(path)
			return model.FakeSetting
		}
		s := redactDSN(t)
		s, _ = artifacts.MaskURLs(s)
		if s != t {
			r.note(path)
			return s
		}
	}
	return v
}

// dropPlugins drops every plugin's settings, keeping the plugin's id:
// setbot knows no plugin's manifest, so it cannot tell which are secret.
func (r *redactor) dropPlugins(doc map[string]any) {
	ps, _ := doc["PluginSettings"].(map[string]any)
	plugins, _ := ps["Plugins"].(map[string]any)
	for id, v := range plugins {
		if !artifacts.PlainName(id) {
			delete(plugins, id)
			r.note("PluginSettings.Plugins." + unnamed + artifacts.DroppedMark)
			continue
		}
		if m, ok := v.(map[string]any); ok && len(m) == 0 {
			continue
		}
		plugins[id] = map[string]any{}
		r.note("PluginSettings.Plugins." + id + artifacts.DroppedMark)
	}
}

// dropUnknown drops from doc every key that known (model.Config read from
// the same file, as generic JSON) lacks: settings Mattermost does not know.
// Objects are compared key by key; maps of model.Config (plugin states,
// feature flags) hold the file's own keys, so they are kept.
func (r *redactor) dropUnknown(doc, known any, path string) {
	d, _ := doc.(map[string]any)
	k, _ := known.(map[string]any)
	if d == nil || k == nil {
		return
	}
	for key, dv := range d {
		kv, ok := k[key]
		if !ok {
			delete(d, key)
			name := key
			if !artifacts.PlainName(key) {
				name = unnamed
			}
			r.note(join(path, name) + artifacts.DroppedMark)
			continue
		}
		r.dropUnknown(dv, kv, join(path, key))
	}
}

// unnamed stands for a name artifacts.PlainName refuses to show.
const unnamed = "(a setting with an unusual name)"

// spelledTwice returns the dotted name of a key that an object of v holds
// twice, in spellings that differ in case only; "" when none does.
func spelledTwice(v any, path string) string {
	switch t := v.(type) {
	case map[string]any:
		seen := map[string]bool{}
		for k := range t {
			if seen[strings.ToLower(k)] {
				return join(path, k)
			}
			seen[strings.ToLower(k)] = true
		}
		for k, x := range t {
			if p := spelledTwice(x, join(path, k)); p != "" {
				return p
			}
		}
	case []any:
		for i, x := range t {
			if p := spelledTwice(x, path+"["+strconv.Itoa(i)+"]"); p != "" {
				return p
			}
		}
	}
	return ""
}

func secretName(key string) bool {
	k := strings.ToLower(key)
	if strings.HasSuffix(k, "endpoint") { // OAuth TokenEndpoint: a public URL
		return false
	}
	for _, w := range secretWords {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}

var (
	// urlCredentials: scheme://user:password@
	urlCredentials = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*://)[^/@\s:]*:[^/@\s]*@`)
	// mysqlCredentials: user:password@tcp(host)/db, go-sql-driver's DSN form
	mysqlCredentials = regexp.MustCompile(`^[^/@\s:]*:[^@\s]*@(tcp|unix)?\(`)
	// queryPassword: password=… in a connection string's parameters
	queryPassword = regexp.MustCompile(`(?i)([?&\s]password=)[^&\s]*`)
)

// redactDSN replaces credentials inside a connection string with
// model.SanitizedPassword, keeping host and database.
func redactDSN(s string) string {
	const pw = model.SanitizedPassword
	s = urlCredentials.ReplaceAllString(s, "${1}"+pw+":"+pw+"@")
	s = mysqlCredentials.ReplaceAllString(s, pw+":"+pw+"@${1}(")
	return queryPassword.ReplaceAllString(s, "${1}"+pw)
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
