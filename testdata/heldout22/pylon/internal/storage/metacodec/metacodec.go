// Package metacodec maps fields tagged `kvmeta:"name[,omitempty]"` to the
// small metadata object KV stores next to a value, so that listings can be
// read without fetching every value. Strings, bools, integers, floats and
// time.Time (as Unix seconds) are supported.
package metacodec

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"
)

// MaxBytes is the largest serialized metadata KV accepts.
const MaxBytes = 1024

// ErrTooLarge is returned when the encoded metadata exceeds MaxBytes.
var ErrTooLarge = errors.New("metacodec: metadata exceeds 1024 bytes")

var timeType = reflect.TypeOf(time.Time{})

type field struct {
	index     int
	name      string
	omitEmpty bool
}

func fieldsOf(t reflect.Type) []field {
	var out []field
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag, ok := f.Tag.Lookup("kvmeta")
		if !ok || tag == "-" || !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out = append(out, field{index: i, name: name, omitEmpty: opts == "omitempty"})
	}
	return out
}

func structOf(v any) (reflect.Value, error) {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return reflect.Value{}, errors.New("metacodec: nil pointer")
		}
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Struct {
		return reflect.Value{}, fmt.Errorf("metacodec: %s is not a struct", rv.Type())
	}
	return rv, nil
}

// Encode returns the tagged fields of v as a metadata map. It fails when the
// JSON form would be larger than KV allows.
func Encode(v any) (map[string]any, error) {
	rv, err := structOf(v)
	if err != nil {
		return nil, err
	}
	out := make(map[string]any)
	for _, f := range fieldsOf(rv.Type()) {
		fv := rv.Field(f.index)
		if f.omitEmpty && fv.IsZero() {
			continue
		}
		switch {
		case fv.Type() == timeType:
			out[f.name] = fv.Interface().(time.Time).Unix()
		case fv.Kind() == reflect.String:
			out[f.name] = fv.String()
		case fv.Kind() == reflect.Bool:
			out[f.name] = fv.Bool()
		case fv.CanInt():
			out[f.name] = fv.Int()
		case fv.CanFloat():
			out[f.name] = fv.Float()
		default:
			return nil, fmt.Errorf("metacodec: field %s: unsupported kind %s", f.name, fv.Kind())
		}
	}
	b, err := json.Marshal(out)
	if err != nil {
		return nil, err
	}
	if len(b) > MaxBytes {
		return nil, fmt.Errorf("%w (%d)", ErrTooLarge, len(b))
	}
	return out, nil
}

// Decode fills the tagged fields of the struct v points to. Numbers arrive
// as float64 after a JSON round trip and are converted back.
func Decode(m map[string]any, v any) error {
	if reflect.ValueOf(v).Kind() != reflect.Pointer {
		return errors.New("metacodec: Decode needs a pointer")
	}
	rv, err := structOf(v)
	if err != nil {
		return err
	}
	for _, f := range fieldsOf(rv.Type()) {
		raw, ok := m[f.name]
		if !ok || raw == nil {
			continue
		}
		fv := rv.Field(f.index)
		if err := assign(fv, raw); err != nil {
			return fmt.Errorf("metacodec: field %s: %w", f.name, err)
		}
	}
	return nil
}

func assign(fv reflect.Value, raw any) error {
	switch {
	case fv.Type() == timeType:
		n, err := number(raw)
		if err != nil {
			return err
		}
		fv.Set(reflect.ValueOf(time.Unix(int64(n), 0).UTC()))
	case fv.Kind() == reflect.String:
		s, _ := raw.(string)
		fv.SetString(s)
	case fv.Kind() == reflect.Bool:
		b, _ := raw.(bool)
		fv.SetBool(b)
	case fv.CanInt():
		n, err := number(raw)
		if err != nil {
			return err
		}
		fv.SetInt(int64(n))
	case fv.CanFloat():
		n, err := number(raw)
		if err != nil {
			return err
		}
		fv.SetFloat(n)
	default:
		return fmt.Errorf("unsupported kind %s", fv.Kind())
	}
	return nil
}

func number(raw any) (float64, error) {
	if n, ok := raw.(float64); ok {
		return n, nil
	}
	if n, ok := raw.(int64); ok {
		return float64(n), nil
	}
	return 0, fmt.Errorf("want number, got %T", raw)
}
