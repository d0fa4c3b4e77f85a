package evhttp

import (
	"errors"
	"iter"
	"strings"
)

// ErrBadQuery is returned by ParseQuery for a pair that is empty, has no '=',
// or has an empty key.
var ErrBadQuery = errors.New("evhttp: malformed query pair")

// Params is an ordered multi-map of query or form parameters: keys may repeat
// and keep the order they were added in. Keys are case-sensitive. The zero
// value is an empty Params ready to use.
type Params struct {
	kv []param
}

type param struct{ key, value string }

// ParseQuery parses an application/x-www-form-urlencoded query such as
// "q=test&s=some+thing", with the semantics of libevent's
// evhttp_parse_query_str: pairs are separated by '&', each must be key=value
// with a non-empty key, and a trailing '&' is ignored. Keys and values are
// percent-decoded with '+' as a space. Any malformed pair or escape fails the
// whole parse (ErrBadQuery, ErrBadEscape). The empty query yields no
// parameters. ';' is not a separator ("a=1;b=2" is a = "1;b=2"), as in
// libevent; net/url refuses such a query instead. Decoded keys and values
// may hold any byte, "%00" (NUL), "%2F" ('/') and invalid UTF-8 included:
// check them before using them as file names.
func ParseQuery(query string) (Params, error) {
	return parseQuery(query, true)
}

// ParseQueryLenient is ParseQuery skipping the pairs ParseQuery would reject
// instead of failing. (libevent's lenient mode differs: it keeps a bare
// "flag" as flag="" and copies a malformed escape through; both are
// skipped here.)
func ParseQueryLenient(query string) Params {
	p, _ := parseQuery(query, false)
	return p
}

func parseQuery(query string, strict bool) (Params, error) {
	var p Params
	for query != "" {
		var pair string
		pair, query, _ = strings.Cut(query, "&")
		key, value, ok := strings.Cut(pair, "=")
		var err error
		if !ok || key == "" {
			err = ErrBadQuery
		} else if key, err = DecodeURI(key, true); err == nil {
			value, err = DecodeURI(value, true)
		}
		if err != nil {
			if strict {
				return Params{}, err
			}
			continue
		}
		p.Add(key, value)
	}
	return p, nil
}

// Get returns the first value for key, or "" if there is none.
func (p *Params) Get(key string) string {
	for _, kv := range p.kv {
		if kv.key == key {
			return kv.value
		}
	}
	return ""
}

// Values returns every value for key in order, or nil; the slice is new.
func (p *Params) Values(key string) []string {
	var out []string
	for _, kv := range p.kv {
		if kv.key == key {
			out = append(out, kv.value)
		}
	}
	return out
}

// Has reports whether key has at least one value.
func (p *Params) Has(key string) bool {
	for _, kv := range p.kv {
		if kv.key == key {
			return true
		}
	}
	return false
}

// Add appends the pair key=value.
func (p *Params) Add(key, value string) { p.kv = append(p.kv, param{key, value}) }

// Set replaces the values of key by value: the first occurrence keeps its
// position, later ones are removed; a new key is appended.
func (p *Params) Set(key, value string) {
	for i, kv := range p.kv {
		if kv.key == key {
			p.kv[i].value = value
			p.kv = append(p.kv[:i+1], deleteKey(p.kv[i+1:], key)...)
			return
		}
	}
	p.Add(key, value)
}

// Del removes every value of key.
func (p *Params) Del(key string) { p.kv = deleteKey(p.kv, key) }

func deleteKey(kv []param, key string) []param {
	out := kv[:0]
	for _, e := range kv {
		if e.key != key {
			out = append(out, e)
		}
	}
	clear(kv[len(out):])
	return out
}

// Len returns the number of pairs.
func (p *Params) Len() int { return len(p.kv) }

// All yields every pair in order. The loop body may change p: pairs added
// meanwhile are not yielded, and removing pairs (Del, Set) may make the
// iteration skip pairs after the current one, but it never yields a pair
// twice or one that is not in p.
func (p *Params) All() iter.Seq2[string, string] {
	return func(yield func(string, string) bool) {
		// Index p.kv afresh at each step, as Headers.All does.
		for i, n := 0, len(p.kv); i < n && i < len(p.kv); i++ {
			if kv := p.kv[i]; !yield(kv.key, kv.value) {
				return
			}
		}
	}
}

// Encode returns the pairs as "k1=v1&k2=v2" in order, each key and value
// encoded with EncodeURI (so a space is "%20", never '+'). ParseQuery of the
// result gives the same pairs back, unless a key is empty: Add accepts one,
// but "=v" is a pair ParseQuery refuses (ErrBadQuery) and ParseQueryLenient
// skips.
func (p *Params) Encode() string {
	var b strings.Builder
	for i, kv := range p.kv {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(EncodeURI(kv.key))
		b.WriteByte('=')
		b.WriteString(EncodeURI(kv.value))
	}
	return b.String()
}
