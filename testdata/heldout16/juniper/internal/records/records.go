// Package records derives storage keys and lifetimes for domain records.
//
// A record marks its identifying field with a `kv` struct tag:
//
//	type Device struct {
//		ID string `kv:"prefix=device/,ttl=720h"`
//		...
//	}
//
// KeyOf then yields "device/<ID>" and the 30-day lifetime.
package records

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"time"
)

// Keyer is implemented by records that build their own key.
type Keyer interface {
	Key() string
}

// Spec is what a `kv` tag declares.
type Spec struct {
	Prefix string
	TTL    time.Duration
	field  int
}

// SpecOf parses the `kv` tag of v's struct type.
func SpecOf(v any) (Spec, error) {
	t := reflect.TypeOf(v)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return Spec{}, fmt.Errorf("records: %s is not a struct", t)
	}
	for i := range t.NumField() {
		tag, ok := t.Field(i).Tag.Lookup("kv")
		if !ok {
			continue
		}
		s, err := parseTag(tag)
		if err != nil {
			return Spec{}, fmt.Errorf("records: %s.%s: %w", t.Name(), t.Field(i).Name, err)
		}
		s.field = i
		return s, nil
	}
	return Spec{}, fmt.Errorf("records: %s has no kv tag", t)
}

func parseTag(tag string) (Spec, error) {
	var s Spec
	for part := range strings.SplitSeq(tag, ",") {
		name, val, _ := strings.Cut(strings.TrimSpace(part), "=")
		var err error
		switch name {
		case "prefix":
			s.Prefix = val
		case "ttl":
			s.TTL, err = time.ParseDuration(val)
		default:
			err = fmt.Errorf("unknown kv tag option %q", name)
		}
		if err != nil {
			return Spec{}, err
		}
	}
	return s, nil
}

// KeyOf returns the key for v: v.Key() when v is a Keyer, otherwise the tag
// prefix followed by the escaped tagged field.
func KeyOf(v any) (string, Spec, error) {
	spec, err := SpecOf(v)
	if k, ok := v.(Keyer); ok {
		return k.Key(), spec, nil
	}
	if err != nil {
		return "", Spec{}, err
	}
	rv := reflect.Indirect(reflect.ValueOf(v))
	id := fmt.Sprint(rv.Field(spec.field).Interface())
	if id == "" {
		return "", Spec{}, fmt.Errorf("records: %s has an empty key field", rv.Type().Name())
	}
	return spec.Prefix + url.PathEscape(id), spec, nil
}

// Join builds a key from segments, escaping each so a "/" inside a segment
// cannot collide with the separator.
func Join(segments ...string) string {
	esc := make([]string, len(segments))
	for i, s := range segments {
		esc[i] = url.PathEscape(s)
	}
	return strings.Join(esc, "/")
}

// Hash returns prefix followed by the sha256 hex digest of the normalised
// parts. Use it for keys derived from personal data (emails, phone numbers).
func Hash(prefix string, parts ...string) string {
	h := sha256.New()
	for i, p := range parts {
		if i > 0 {
			h.Write([]byte{0})
		}
		h.Write([]byte(Normalize(p)))
	}
	return prefix + hex.EncodeToString(h.Sum(nil))
}

// Normalize lower-cases and trims s.
func Normalize(s string) string {
	return strings.ToLower(strings.TrimSpace(s))
}
