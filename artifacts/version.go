package artifacts

import (
	"regexp"
	"strings"

	"github.com/setbot/setbot"
)

// versionRE matches a Mattermost version as people write it: "10.11.4",
// "v9.5", "11.0.0-rc2", "10.5 ESR".
var versionRE = regexp.MustCompile(`(?i)^v?(\d{1,2}\.\d{1,3}(?:\.\d{1,3})?)(-(?:rc|beta|alpha)\.?\d*)?(?:\s*[-(]?\s*(esr)\)?)?$`)

// ParseVersion returns the normalised Mattermost version in s ("v10.5 esr"
// → "10.5 ESR"), or an EInvalid *setbot.Error with an example.
func ParseVersion(s string) (string, error) {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(strings.TrimPrefix(s, "Mattermost "), "mattermost ")
	m := versionRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return "", setbot.Errorf(setbot.EInvalid, "That is not a Mattermost version I can read. Write it like 10.11.4, v9.5, 11.0.0-rc2 or 10.5 ESR (System Console > About shows it).")
	}
	v := m[1] + strings.ToLower(m[2])
	if m[3] != "" {
		v += " ESR"
	}
	return v, nil
}

// findVersionRE finds a version inside a sentence: three parts, or a "v"
// prefix, or an ESR suffix, or after the word Mattermost/version, so that a
// database version ("PostgreSQL 14.5") is not taken for one.
var findVersionRE = regexp.MustCompile(`(?i)(?:\b(?:mattermost|version|mm|on|running)\s+v?|\bv)(\d{1,2}\.\d{1,3}(?:\.\d{1,3})?(?:-(?:rc|beta|alpha)\.?\d*)?(?:\s*esr\b)?)|\b(\d{1,2}\.\d{1,3}\.\d{1,3}(?:-(?:rc|beta|alpha)\.?\d*)?(?:\s*esr\b)?)`)

// FindVersion returns the first Mattermost version mentioned in text, or "".
// Database versions (right after a database's name) are skipped.
func FindVersion(text string) string {
	text = databaseRE.ReplaceAllString(text, " ")
	for _, m := range findVersionRE.FindAllStringSubmatch(text, -1) {
		raw := m[1]
		if raw == "" {
			raw = m[2]
		}
		if v, err := ParseVersion(raw); err == nil {
			return v
		}
	}
	return ""
}

// databaseRE matches a database and its version: "PostgreSQL 14.5",
// "postgres 15", "pg13", "MySQL 8.0.32", "Aurora MySQL 8.0".
var databaseRE = regexp.MustCompile(`(?i)\b(postgres(?:ql)?|pg(?:sql)?|mysql|mariadb|aurora(?:\s+(?:postgres(?:ql)?|mysql))?)\b(?:\s*(?:version|v)?\s*(\d+(?:\.\d+){0,2}))?`)

// ParseDatabase reads a database type and version such as "PostgreSQL 14.5"
// or "MySQL 8.0.32". Type is "PostgreSQL" or "MySQL"; Version may be empty
// when only the type was given, and then the error says to add it.
func ParseDatabase(s string) (setbot.Database, error) {
	m := databaseRE.FindStringSubmatch(s)
	if m == nil {
		return setbot.Database{}, setbot.Errorf(setbot.EInvalid, "Mattermost runs on PostgreSQL or MySQL: tell me which one and its version, like PostgreSQL 15.4 or MySQL 8.0.32.")
	}
	name := strings.ToLower(m[1])
	db := setbot.Database{Type: "PostgreSQL", Version: m[2]}
	if strings.Contains(name, "mysql") || name == "mariadb" {
		db.Type = "MySQL"
	}
	if db.Version == "" {
		return db, setbot.Errorf(setbot.EInvalid, "Which %s version? For example %s.", db.Type, map[string]string{"PostgreSQL": "PostgreSQL 15.4", "MySQL": "MySQL 8.0.32"}[db.Type])
	}
	return db, nil
}

// FindDatabase returns the database mentioned in text, with ok=false when
// there is none. A type without a version is returned with Version "".
func FindDatabase(text string) (db setbot.Database, ok bool) {
	if !databaseRE.MatchString(text) {
		return setbot.Database{}, false
	}
	db, _ = ParseDatabase(text)
	return db, true
}
