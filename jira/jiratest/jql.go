package jiratest

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/setbot/setbot/jira"
)

// The fake reads the subset of JQL setbot writes: clauses `field op value`
// with = != ~ !~ and [NOT] IN ( … ) (a list, or the functions
// releasedVersions() and unreleasedVersions()), joined by AND, OR, NOT and
// parentheses, then ORDER BY, of which only Rank is applied. String values
// must be quoted the way jira.QuoteJQL quotes; anything else is a 400, as
// an unknown token is in Jira.

type jqlToken struct {
	kind string // "str", "word", "op", "(", ")", ","
	text string
}

func lexJQL(q string) ([]jqlToken, error) {
	var out []jqlToken
	rs := []rune(q)
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case unicode.IsSpace(r):
			i++
		case r == '(' || r == ')' || r == ',':
			out = append(out, jqlToken{kind: string(r), text: string(r)})
			i++
		case r == '"':
			j := i + 1
			for ; j < len(rs) && rs[j] != '"'; j++ {
				if rs[j] == '\\' {
					j++
				}
			}
			if j >= len(rs) {
				return nil, fmt.Errorf("unterminated string at %d", i)
			}
			s, err := jira.UnquoteJQL(string(rs[i : j+1]))
			if err != nil {
				return nil, err
			}
			out = append(out, jqlToken{kind: "str", text: s})
			i = j + 1
		case r == '=' || r == '~':
			out = append(out, jqlToken{kind: "op", text: string(r)})
			i++
		case r == '!' && i+1 < len(rs) && (rs[i+1] == '=' || rs[i+1] == '~'):
			out = append(out, jqlToken{kind: "op", text: string(rs[i : i+2])})
			i += 2
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '-' || r == '.':
			j := i
			for j < len(rs) && (unicode.IsLetter(rs[j]) || unicode.IsDigit(rs[j]) || strings.ContainsRune("_-.", rs[j])) {
				j++
			}
			out = append(out, jqlToken{kind: "word", text: string(rs[i:j])})
			i = j
		default:
			return nil, fmt.Errorf("unexpected %q at %d", r, i)
		}
	}
	return out, nil
}

// jqlExpr is a parsed query: a predicate over an issue, and the fields its
// clauses name.
type jqlExpr func(is *Issue) bool

type jqlParser struct {
	toks     []jqlToken
	pos      int
	fields   map[string]bool
	released map[string]bool // the project's released versions
}

// jqlQuery is a parsed query: its predicate, the lower-cased fields it
// names, and its ORDER BY.
type jqlQuery struct {
	pred   jqlExpr
	fields map[string]bool
	// byRank is whether the results are ordered by Rank; desc reverses it.
	byRank, desc bool
}

// parseJQL parses q; released are the versions releasedVersions() names.
func parseJQL(q string, released map[string]bool) (jqlQuery, error) {
	toks, err := lexJQL(q)
	if err != nil {
		return jqlQuery{}, err
	}
	var out jqlQuery
	for i, t := range toks { // ORDER BY …: only Rank changes the fake's order
		if t.kind == "word" && strings.EqualFold(t.text, "order") && i+1 < len(toks) && strings.EqualFold(toks[i+1].text, "by") {
			out.byRank, out.desc = orderByRank(toks[i+2:])
			toks = toks[:i]
			break
		}
	}
	p := &jqlParser{toks: toks, fields: map[string]bool{}, released: released}
	out.fields = p.fields
	if len(toks) == 0 {
		out.pred = func(*Issue) bool { return true }
		return out, nil
	}
	e, err := p.or()
	if err != nil {
		return jqlQuery{}, err
	}
	if p.pos != len(p.toks) {
		return jqlQuery{}, fmt.Errorf("unexpected %q", p.toks[p.pos].text)
	}
	out.pred = e
	return out, nil
}

// orderByRank reads an ORDER BY list: whether its first key is Rank, and
// whether descending.
func orderByRank(toks []jqlToken) (byRank, desc bool) {
	if len(toks) == 0 || !strings.EqualFold(toks[0].text, "rank") {
		return false, false
	}
	return true, len(toks) > 1 && strings.EqualFold(toks[1].text, "desc")
}

func (p *jqlParser) peekWord(w string) bool {
	return p.pos < len(p.toks) && p.toks[p.pos].kind == "word" && strings.EqualFold(p.toks[p.pos].text, w)
}

func (p *jqlParser) or() (jqlExpr, error) {
	l, err := p.and()
	for err == nil && p.peekWord("or") {
		p.pos++
		var r jqlExpr
		if r, err = p.and(); err == nil {
			a, b := l, r
			l = func(is *Issue) bool { return a(is) || b(is) }
		}
	}
	return l, err
}

func (p *jqlParser) and() (jqlExpr, error) {
	l, err := p.not()
	for err == nil && p.peekWord("and") {
		p.pos++
		var r jqlExpr
		if r, err = p.not(); err == nil {
			a, b := l, r
			l = func(is *Issue) bool { return a(is) && b(is) }
		}
	}
	return l, err
}

func (p *jqlParser) not() (jqlExpr, error) {
	if p.peekWord("not") {
		p.pos++
		e, err := p.not()
		if err != nil {
			return nil, err
		}
		return func(is *Issue) bool { return !e(is) }, nil
	}
	if p.pos < len(p.toks) && p.toks[p.pos].kind == "(" {
		p.pos++
		e, err := p.or()
		if err != nil {
			return nil, err
		}
		if p.pos >= len(p.toks) || p.toks[p.pos].kind != ")" {
			return nil, fmt.Errorf("missing )")
		}
		p.pos++
		return e, nil
	}
	return p.clause()
}

func (p *jqlParser) next() (jqlToken, error) {
	if p.pos >= len(p.toks) {
		return jqlToken{}, fmt.Errorf("unexpected end of query")
	}
	p.pos++
	return p.toks[p.pos-1], nil
}

func (p *jqlParser) clause() (jqlExpr, error) {
	f, err := p.next()
	if err != nil {
		return nil, err
	}
	if f.kind != "word" {
		return nil, fmt.Errorf("expected a field, got %q", f.text)
	}
	field := strings.ToLower(f.text)
	p.fields[field] = true
	op, err := p.next()
	if err != nil {
		return nil, err
	}
	neg := false
	if op.kind == "word" && strings.EqualFold(op.text, "not") {
		neg = true
		if op, err = p.next(); err != nil {
			return nil, err
		}
	}
	if op.kind == "word" && strings.EqualFold(op.text, "in") {
		if fn, ok := p.versionFunction(field); ok {
			return func(is *Issue) bool { return fn(is) != neg }, nil
		}
		vals, err := p.list()
		if err != nil {
			return nil, err
		}
		return func(is *Issue) bool {
			for _, v := range vals {
				if is.matches(field, "=", v) {
					return !neg
				}
			}
			return neg
		}, nil
	}
	if op.kind != "op" || neg {
		return nil, fmt.Errorf("expected an operator after %s, got %q", f.text, op.text)
	}
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	return func(is *Issue) bool { return is.matches(field, op.text, v) }, nil
}

func (p *jqlParser) value() (string, error) {
	t, err := p.next()
	if err != nil {
		return "", err
	}
	if t.kind != "str" && t.kind != "word" {
		return "", fmt.Errorf("expected a value, got %q", t.text)
	}
	if t.kind == "word" && !bareValue(t.text) {
		return "", fmt.Errorf("the value %q must be quoted", t.text)
	}
	return t.text, nil
}

// bareValue reports the unquoted values setbot may write: keywords and
// identifiers without spaces. Anything a person typed is quoted.
func bareValue(s string) bool {
	for _, r := range s {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

func (p *jqlParser) list() ([]string, error) {
	if t, err := p.next(); err != nil || t.kind != "(" {
		return nil, fmt.Errorf("expected ( after IN")
	}
	var vals []string
	for {
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		vals = append(vals, v)
		t, err := p.next()
		if err != nil {
			return nil, err
		}
		if t.kind == ")" {
			return vals, nil
		}
		if t.kind != "," {
			return nil, fmt.Errorf("expected , or ) in list")
		}
	}
}

// versionFunction reads `releasedVersions()` or `unreleasedVersions()`
// after `fixVersion IN`: an issue matches when one of its fix versions is
// (un)released.
func (p *jqlParser) versionFunction(field string) (jqlExpr, bool) {
	if field != "fixversion" || p.pos+2 >= len(p.toks) || p.toks[p.pos].kind != "word" ||
		p.toks[p.pos+1].kind != "(" || p.toks[p.pos+2].kind != ")" {
		return nil, false
	}
	var want bool
	switch strings.ToLower(p.toks[p.pos].text) {
	case "releasedversions":
		want = true
	case "unreleasedversions":
		want = false
	default:
		return nil, false
	}
	p.pos += 3
	released := p.released
	return func(is *Issue) bool {
		for _, v := range is.FixVersions {
			if released[v] == want {
				return true
			}
		}
		return false
	}, true
}
