// Package kvkey derives the KV key of a value from the value itself.
//
// A type names its key by implementing Keyer, or with a `kv` tag on a blank
// field holding a template of literal text and {Field} placeholders:
//
//	type Lobby struct {
//		_    struct{} `kv:"lobby/{Code}"`
//		Code string
//	}
//
// Placeholders are filled with the field's fmt rendering, path-escaped, so a
// slash inside a field value cannot create a new key level.
package kvkey

import (
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"sync"
)

// Keyer is implemented by values that compute their own key.
type Keyer interface {
	KVKey() string
}

type segment struct {
	lit   string
	field []int // nil for literal text
}

var templates sync.Map // reflect.Type -> []segment

// Of returns the KV key of v. v must be a Keyer or a struct (or pointer to
// one) with a kv template; anything else is a programming error and panics.
func Of(v any) string {
	if k, ok := v.(Keyer); ok {
		return k.KVKey()
	}
	rv := reflect.Indirect(reflect.ValueOf(v))
	var b strings.Builder
	for _, seg := range templateOf(rv.Type()) {
		if seg.field == nil {
			b.WriteString(seg.lit)
		} else {
			b.WriteString(url.PathEscape(fmt.Sprint(rv.FieldByIndex(seg.field).Interface())))
		}
	}
	return b.String()
}

func templateOf(t reflect.Type) []segment {
	if s, ok := templates.Load(t); ok {
		return s.([]segment)
	}
	var tpl string
	for i := range t.NumField() {
		if v, ok := t.Field(i).Tag.Lookup("kv"); ok {
			tpl = v
			break
		}
	}
	if tpl == "" {
		panic(fmt.Sprintf("kvkey: %s has no kv template", t))
	}
	var segs []segment
	for tpl != "" {
		open, end := strings.IndexByte(tpl, '{'), strings.IndexByte(tpl, '}')
		if open < 0 || end < open {
			segs = append(segs, segment{lit: tpl})
			break
		}
		f, found := t.FieldByName(tpl[open+1 : end])
		if !found {
			panic(fmt.Sprintf("kvkey: %s has no field %s", t, tpl[open+1:end]))
		}
		if open > 0 {
			segs = append(segs, segment{lit: tpl[:open]})
		}
		segs = append(segs, segment{field: f.Index})
		tpl = tpl[end+1:]
	}
	templates.Store(t, segs)
	return segs
}
