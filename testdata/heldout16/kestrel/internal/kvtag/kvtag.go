// Package kvtag derives storage keys and lifetimes from `kv` struct tags:
//
//	type Prefs struct {
//		UserID string `kv:"prefix=prefs/,ttl=2160h"`
//	}
//
// The tagged string field supplies the variable part of the key.
package kvtag

import (
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"time"
)

// Spec is what a tag says about a record type.
type Spec struct {
	Prefix string
	TTL    time.Duration
}

// Parse reads a tag value such as "prefix=prefs/,ttl=2160h".
func Parse(tag string) (Spec, error) {
	var s Spec
	for _, part := range strings.Split(tag, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "prefix":
			s.Prefix = v
		case "ttl":
			d, err := time.ParseDuration(v)
			if err != nil {
				return Spec{}, fmt.Errorf("kvtag: ttl: %w", err)
			}
			s.TTL = d
		default:
			return Spec{}, fmt.Errorf("kvtag: unknown option %q", k)
		}
	}
	if s.Prefix == "" {
		return Spec{}, errors.New("kvtag: prefix is required")
	}
	return s, nil
}

// Key returns the storage key and lifetime of record v, a struct or a
// pointer to one.
func Key(v any) (string, time.Duration, error) {
	rv := reflect.Indirect(reflect.ValueOf(v))
	if rv.Kind() != reflect.Struct {
		return "", 0, fmt.Errorf("kvtag: %T is not a struct", v)
	}
	for _, f := range reflect.VisibleFields(rv.Type()) {
		tag, ok := f.Tag.Lookup("kv")
		if !ok || f.Type.Kind() != reflect.String {
			continue
		}
		s, err := Parse(tag)
		if err != nil {
			return "", 0, fmt.Errorf("%s.%s: %w", rv.Type().Name(), f.Name, err)
		}
		id := rv.FieldByIndex(f.Index).String()
		if id == "" {
			return "", 0, fmt.Errorf("kvtag: %s.%s is empty", rv.Type().Name(), f.Name)
		}
		return s.Prefix + url.PathEscape(id), s.TTL, nil
	}
	return "", 0, fmt.Errorf("kvtag: %s has no kv tag", rv.Type().Name())
}
