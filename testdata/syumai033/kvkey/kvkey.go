// Package kvkey derives a value's key from a `kv` tag of its type.
package kvkey

import (
	"fmt"
	"reflect"
	"strings"
)

// Of returns the key of v, a pointer to a struct with a tagged field.
func Of(v any) string {
	rv := reflect.Indirect(reflect.ValueOf(v))
	for i := range rv.NumField() {
		f := rv.Type().Field(i)
		if tpl, ok := f.Tag.Lookup("kv"); ok {
			return strings.Replace(tpl, "{"+f.Name+"}", fmt.Sprint(rv.Field(i).Interface()), 1)
		}
	}
	panic("kvkey: no kv tag")
}
